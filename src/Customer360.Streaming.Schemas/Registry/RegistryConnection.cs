using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Confluent.SchemaRegistry;

namespace Customer360.Streaming.Schemas.Registry;

/// <summary>
/// How <see cref="SchemaRegistryClient"/> reaches the registry, built once from the options: Confluent's client
/// configuration, one authentication provider (shared by Confluent's client and our own verbose compatibility call),
/// the proxy, and an HTTP client with the same TLS trust and client certificate. Secrets stay in here and are never
/// logged.
/// </summary>
internal sealed class RegistryConnection : IDisposable
{
    private readonly SchemaRegistryOptions _options;
    private readonly HttpClient? _tokenHttp;

    public RegistryConnection(SchemaRegistryOptions options)
    {
        _options = options;
        BaseUris = [.. options.Url.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(u => new Uri(u.EndsWith('/') ? u : u + "/", UriKind.Absolute))];
        if (BaseUris.Count == 0)
        {
            throw new ArgumentException("SchemaRegistry:Url names no URL.", nameof(options));
        }

        Proxy = string.IsNullOrWhiteSpace(options.ProxyUrl) ? null : new WebProxy(new Uri(options.ProxyUrl));
        Http = new HttpClient(Handler(options, Proxy), disposeHandler: true) { Timeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs) };
        if (!string.IsNullOrEmpty(options.BearerAuthClientId))
        {
            _tokenHttp = new HttpClient(new SocketsHttpHandler { Proxy = Proxy, UseProxy = Proxy is not null }, disposeHandler: true)
            {
                Timeout = TimeSpan.FromMilliseconds(options.RequestTimeoutMs),
            };
        }

        Authentication = CreateAuthentication(options, _tokenHttp);
    }

    public IReadOnlyList<Uri> BaseUris { get; }

    public IWebProxy? Proxy { get; }

    public HttpClient Http { get; }

    public IAuthenticationHeaderValueProvider? Authentication { get; }

    /// <summary>Confluent's client configuration; authentication goes through <see cref="Authentication"/> instead.</summary>
    public SchemaRegistryConfig ClientConfig() => new()
    {
        Url = _options.Url,
        RequestTimeoutMs = _options.RequestTimeoutMs,
        // Confluent's MaxRetries counts attempts (0 makes none at all); ours counts retries after the first.
        MaxRetries = _options.MaxRetries + 1,
        RetriesWaitMs = _options.RetryBackoffMs,
        RetriesMaxWaitMs = _options.RetryBackoffMaxMs,
        MaxCachedSchemas = _options.MaxCachedSchemas,
        LatestCacheTtlSecs = _options.LatestCacheTtlSecs,
        SslCaLocation = NullIfEmpty(_options.SslCaLocation),
        SslKeystoreLocation = NullIfEmpty(_options.SslKeystoreLocation),
        SslKeystorePassword = NullIfEmpty(_options.SslKeystorePassword),
    };

    /// <summary>Adds the authentication headers Confluent's client sends (a bearer token refreshed when due).</summary>
    public async Task AuthorizeAsync(HttpRequestMessage request)
    {
        if (Authentication is IAuthenticationBearerHeaderValueProvider bearer)
        {
            if (bearer.NeedsInitOrRefresh())
            {
                await bearer.InitOrRefreshAsync();
            }

            AddIfPresent(request, "target-sr-cluster", bearer.GetLogicalCluster());
            AddIfPresent(request, "Confluent-Identity-Pool-Id", bearer.GetIdentityPool());
        }

        request.Headers.Authorization = Authentication?.GetAuthenticationHeader();
    }

    public void Dispose()
    {
        (Authentication as IDisposable)?.Dispose();
        Http.Dispose();
        _tokenHttp?.Dispose();
    }

    private static IAuthenticationHeaderValueProvider? CreateAuthentication(SchemaRegistryOptions options, HttpClient? tokenHttp)
    {
        if (!string.IsNullOrEmpty(options.BasicAuthUserInfo))
        {
            var colon = options.BasicAuthUserInfo.IndexOf(':', StringComparison.Ordinal);
            return new BasicAuthenticationHeaderValueProvider(options.BasicAuthUserInfo[..colon], options.BasicAuthUserInfo[(colon + 1)..]);
        }

        if (!string.IsNullOrEmpty(options.BearerAuthToken))
        {
            return new StaticBearerAuthenticationHeaderValueProvider(options.BearerAuthToken, options.BearerAuthLogicalCluster, options.BearerAuthIdentityPoolId);
        }

        if (tokenHttp is not null)
        {
            return new BearerAuthenticationHeaderValueProvider(
                tokenHttp, options.BearerAuthClientId, options.BearerAuthClientSecret, options.BearerAuthScope, options.BearerAuthTokenEndpointUrl,
                options.BearerAuthLogicalCluster, options.BearerAuthIdentityPoolId, options.MaxRetries, options.RetryBackoffMs, options.RetryBackoffMaxMs);
        }

        return null;
    }

    private static SocketsHttpHandler Handler(SchemaRegistryOptions options, IWebProxy? proxy)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), Proxy = proxy, UseProxy = proxy is not null };
        if (!string.IsNullOrEmpty(options.SslKeystoreLocation))
        {
            handler.SslOptions.ClientCertificates =
            [
                X509CertificateLoader.LoadPkcs12FromFile(options.SslKeystoreLocation, options.SslKeystorePassword),
            ];
        }

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

    private static void AddIfPresent(HttpRequestMessage request, string header, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            request.Headers.TryAddWithoutValidation(header, value);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
