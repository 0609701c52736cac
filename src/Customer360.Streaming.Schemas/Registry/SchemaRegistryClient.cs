using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// HTTP client for Confluent Schema Registry and compatible registries (Karapace, Apicurio ccompat, Redpanda).
/// Schema ids are immutable, so id → schema and schema → id answers are cached for the life of the client: records
/// with known ids keep decoding while the registry is down. 5xx, 429 and network failures are retried with backoff.
/// </summary>
public sealed class SchemaRegistryClient : ISchemaRegistryClient, IDisposable
{
    public const string ContentType = "application/vnd.schemaregistry.v1+json";

    private readonly HttpClient _http;
    private readonly SchemaRegistryOptions _options;
    private readonly TimeProvider _time;
    private readonly Uri[] _baseUris;
    private readonly ConcurrentDictionary<int, string> _schemasById = new();
    private readonly ConcurrentDictionary<(string Subject, string Schema), int> _idsBySubjectSchema = new();
    private readonly ConcurrentDictionary<(string Subject, string Schema), RegisteredSchema> _lookups = new();
    private int _preferredUri;

    public SchemaRegistryClient(SchemaRegistryOptions options, TimeProvider? time = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _time = time ?? TimeProvider.System;
        _baseUris = options.Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => new Uri(u.EndsWith('/') ? u : u + "/", UriKind.Absolute))
            .ToArray();
        if (_baseUris.Length == 0)
        {
            throw new ArgumentException("SchemaRegistry:Url names no URL.", nameof(options));
        }

        _http = new HttpClient(handler ?? CreateHandler(options), disposeHandler: true)
        {
            Timeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs),
        };
        _http.DefaultRequestHeaders.Accept.ParseAdd($"{ContentType}, application/vnd.schemaregistry+json; q=0.9, application/json; q=0.5");
        if (!string.IsNullOrEmpty(options.BasicAuthUserInfo))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(options.BasicAuthUserInfo)));
        }
    }

    public async Task<int> RegisterAsync(string subject, string schema, bool normalize = false, CancellationToken cancellationToken = default)
    {
        if (_idsBySubjectSchema.TryGetValue((subject, schema), out var cached))
        {
            return cached;
        }

        var response = await SendAsync(HttpMethod.Post, $"subjects/{Escape(subject)}/versions{(normalize ? "?normalize=true" : string.Empty)}", SchemaBody(schema), cancellationToken);
        var id = response["id"]!.GetValue<int>();
        Remember(_idsBySubjectSchema, (subject, schema), id);
        Remember(_schemasById, id, schema);
        return id;
    }

    public async Task<RegisteredSchema> LookupAsync(string subject, string schema, CancellationToken cancellationToken = default)
    {
        if (_lookups.TryGetValue((subject, schema), out var cached))
        {
            return cached;
        }

        var registered = ToRegistered(await SendAsync(HttpMethod.Post, $"subjects/{Escape(subject)}", SchemaBody(schema), cancellationToken), subject);
        Remember(_lookups, (subject, schema), registered);
        Remember(_idsBySubjectSchema, (subject, schema), registered.Id);
        return registered;
    }

    public async Task<string> GetSchemaAsync(int id, CancellationToken cancellationToken = default)
    {
        if (_schemasById.TryGetValue(id, out var cached))
        {
            return cached;
        }

        var schema = (await SendAsync(HttpMethod.Get, $"schemas/ids/{id}", null, cancellationToken))["schema"]!.GetValue<string>();
        Remember(_schemasById, id, schema);
        return schema;
    }

    public async Task<RegisteredSchema> GetLatestAsync(string subject, CancellationToken cancellationToken = default) =>
        ToRegistered(await SendAsync(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/latest", null, cancellationToken), subject);

    public async Task<RegisteredSchema> GetVersionAsync(string subject, int version, CancellationToken cancellationToken = default) =>
        ToRegistered(await SendAsync(HttpMethod.Get, $"subjects/{Escape(subject)}/versions/{version}", null, cancellationToken), subject);

    public async Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) =>
        (await SendAsync(HttpMethod.Get, "subjects", null, cancellationToken)).AsArray().Select(n => n!.GetValue<string>()).ToList();

    public async Task<CompatibilityResult> TestCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await SendAsync(HttpMethod.Post, $"compatibility/subjects/{Escape(subject)}/versions/latest?verbose=true", SchemaBody(schema), cancellationToken);
            var messages = response["messages"] is JsonArray list ? list.Select(m => m!.ToString()).ToList() : [];
            return new CompatibilityResult(response["is_compatible"]!.GetValue<bool>(), messages);
        }
        catch (SchemaRegistryException ex) when (ex.ErrorCode is SchemaRegistryException.Codes.SubjectNotFound or SchemaRegistryException.Codes.VersionNotFound)
        {
            // Nothing registered yet: any valid schema is compatible with no history.
            return new CompatibilityResult(true, ["subject has no versions yet"]);
        }
    }

    public async Task<CompatibilityLevel> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default)
    {
        JsonNode response;
        try
        {
            response = await SendAsync(HttpMethod.Get, subject is null ? "config" : $"config/{Escape(subject)}?defaultToGlobal=true", null, cancellationToken);
        }
        catch (SchemaRegistryException ex) when (subject is not null && ex.ErrorCode is SchemaRegistryException.Codes.SubjectNotFound or 40408)
        {
            response = await SendAsync(HttpMethod.Get, "config", null, cancellationToken);
        }

        var wire = (response["compatibilityLevel"] ?? response["compatibility"])?.GetValue<string>();
        return CompatibilityLevels.TryParse(wire, out var level)
            ? level
            : throw new SchemaRegistryException(200, SchemaRegistryException.Codes.InvalidCompatibilityLevel, $"Unknown compatibility level '{wire}'.");
    }

    public async Task SetCompatibilityAsync(CompatibilityLevel level, string? subject = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["compatibility"] = CompatibilityLevels.ToWire(level) };
        await SendAsync(HttpMethod.Put, subject is null ? "config" : $"config/{Escape(subject)}", body, cancellationToken);
    }

    public void Dispose() => _http.Dispose();

    private async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken)
    {
        var backoff = TimeSpan.FromMilliseconds(_options.RetryBackoffMs);
        for (var attempt = 0; ; attempt++)
        {
            var uriIndex = Volatile.Read(ref _preferredUri) % _baseUris.Length;
            SchemaRegistryException failure;
            try
            {
                using var request = new HttpRequestMessage(method, new Uri(_baseUris[uriIndex], path));
                if (body is not null)
                {
                    request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue(ContentType);
                }

                using var response = await _http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return JsonNode.Parse(text) ?? throw new SchemaRegistryException((int)response.StatusCode, SchemaRegistryException.Codes.BackendStoreError, "Empty response body.");
                }

                failure = ToException(response.StatusCode, text);
            }
            catch (HttpRequestException ex)
            {
                failure = new SchemaRegistryException(0, SchemaRegistryException.Codes.Unreachable, $"Schema Registry at {_baseUris[uriIndex].Authority} is unreachable: {ex.Message}", ex);
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new SchemaRegistryException(0, SchemaRegistryException.Codes.Unreachable, $"Schema Registry at {_baseUris[uriIndex].Authority} did not answer within {_options.RequestTimeoutMs} ms.", ex);
            }

            if (!failure.IsTransient || attempt >= _options.MaxRetries)
            {
                throw failure;
            }

            // Try the next URL next time; a registry cluster behind several URLs fails over this way.
            Interlocked.CompareExchange(ref _preferredUri, uriIndex + 1, uriIndex);
            await Task.Delay(backoff, _time, cancellationToken);
            backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, _options.RetryBackoffMaxMs));
        }
    }

    private static SchemaRegistryException ToException(HttpStatusCode status, string body)
    {
        var code = (int)status;
        var message = $"HTTP {code}";
        try
        {
            if (JsonNode.Parse(body) is JsonObject error)
            {
                code = error["error_code"]?.GetValue<int>() ?? code;
                message = error["message"]?.GetValue<string>() ?? message;
            }
        }
        catch (JsonException)
        {
            // Not a registry error body (a proxy's HTML page, say): keep the HTTP status.
        }

        return new SchemaRegistryException((int)status, code, $"Schema Registry error {code}: {message}");
    }

    private static JsonObject SchemaBody(string schema) => new() { ["schema"] = schema, ["schemaType"] = "AVRO" };

    private static RegisteredSchema ToRegistered(JsonNode node, string subject) => new(
        node["subject"]?.GetValue<string>() ?? subject,
        node["id"]!.GetValue<int>(),
        node["version"]!.GetValue<int>(),
        node["schema"]!.GetValue<string>());

    private static string Escape(string subject) => Uri.EscapeDataString(subject);

    private void Remember<TKey, TValue>(ConcurrentDictionary<TKey, TValue> cache, TKey key, TValue value)
        where TKey : notnull
    {
        if (cache.Count >= _options.MaxCachedSchemas)
        {
            // Bounded memory beats perfect hit rates: a full cache starts over; ids stay valid at the registry.
            cache.Clear();
        }

        cache[key] = value;
    }

    private static SocketsHttpHandler CreateHandler(SchemaRegistryOptions options)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!string.IsNullOrEmpty(options.SslCaLocation))
        {
            var authority = X509CertificateLoader.LoadCertificateFromFile(options.SslCaLocation);
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(authority);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(new X509Certificate2(certificate));
            };
        }

        return handler;
    }
}
