using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Confluent.SchemaRegistry;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests.Schemas;

/// <summary>
/// Issue 16's four differences, through Confluent's own client and through raw HTTP: the embedded registry must
/// answer as Confluent's does, or contract changes are dropped silently and managed-registry clients break.
/// </summary>
public sealed class RegistryAnswersAsConfluentTests(SchemaRegistryFixture registry)
{
    private const string Money = """{"type":"record","name":"Money","namespace":"customer360.test","fields":[{"name":"amount","type":"long"},{"name":"currency","type":"string"}]}""";
    private const string Order = """{"type":"record","name":"Order","namespace":"customer360.test","fields":[{"name":"id","type":"string"},{"name":"total","type":"customer360.test.Money"}]}""";

    private static string Limit(int fallback) =>
        $$"""{"type":"record","name":"Limit","namespace":"customer360.test","fields":[{"name":"n","type":"int","default":{{fallback}}}]}""";

    [Fact]
    public async Task A_change_of_only_a_default_is_a_new_id_and_version_and_lookup_finds_the_one_with_that_default()
    {
        using var client = Confluent();
        var subject = Subject(nameof(A_change_of_only_a_default_is_a_new_id_and_version_and_lookup_finds_the_one_with_that_default));

        var first = await client.RegisterSchemaWithResponseAsync(subject, Avro(Limit(1)), normalize: false);
        var second = await client.RegisterSchemaWithResponseAsync(subject, Avro(Limit(99)), normalize: false);
        var found = await client.LookupSchemaAsync(subject, Avro(Limit(99)), ignoreDeletedSchemas: true, normalize: false);

        Assert.Equal((1, 2), (first.Version, second.Version));
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal((second.Id, 2), (found.Id, found.Version));
        Assert.Contains("99", found.SchemaString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subject_with_no_versions_is_compatible_with_anything()
    {
        using var client = Confluent();
        using var http = Http();
        var subject = Subject(nameof(A_subject_with_no_versions_is_compatible_with_anything));

        Assert.True(await client.IsCompatibleAsync(subject, Avro(Limit(1))));
        using var raw = await http.PostAsync(new Uri($"compatibility/subjects/{subject}/versions/latest", UriKind.Relative), Body(Limit(1)), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, raw.StatusCode);
        Assert.True((await ReadJsonAsync(raw))["is_compatible"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_schema_referencing_a_type_of_another_subject_registers_and_a_missing_reference_is_refused_clearly()
    {
        using var client = Confluent();
        using var http = Http();
        var names = new UniqueNames(nameof(A_schema_referencing_a_type_of_another_subject_registers_and_a_missing_reference_is_refused_clearly));
        var moneySubject = names.Topic("money");
        var orders = names.Topic("orders") + "-value";

        var money = await client.RegisterSchemaWithResponseAsync(moneySubject, Avro(Money), normalize: false);
        var reference = new List<Confluent.SchemaRegistry.SchemaReference> { new("customer360.test.Money", moneySubject, money.Version) };
        var order = await client.RegisterSchemaWithResponseAsync(orders, new Schema(Order, reference, SchemaType.Avro), normalize: false);
        var fetched = await client.GetSchemaAsync(order.Id);
        var missing = await Assert.ThrowsAsync<Confluent.SchemaRegistry.SchemaRegistryException>(() =>
            client.RegisterSchemaAsync(names.Topic("broken"), new Schema(Order, [new("customer360.test.Money", names.Topic("nowhere"), 1)], SchemaType.Avro), normalize: false));
        using var unresolved = await http.PostAsync(new Uri($"subjects/{names.Topic("bare")}/versions", UriKind.Relative), Body(Order), TestContext.Current.CancellationToken);

        Assert.Equal(1, order.Version);
        Assert.Equal(moneySubject, Assert.Single(fetched.References).Subject);
        Assert.Equal((HttpStatusCode)422, missing.Status);
        Assert.Contains("not registered", missing.Message, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode)422, unresolved.StatusCode);
        Assert.Equal(42201, (await ReadJsonAsync(unresolved))["error_code"]!.GetValue<int>());
    }

    [Fact]
    public async Task Every_route_answers_errors_as_json_and_the_routes_confluents_client_uses_exist()
    {
        using var client = Confluent();
        using var http = Http();
        var subject = Subject(nameof(Every_route_answers_errors_as_json_and_the_routes_confluents_client_uses_exist));
        var registered = await client.RegisterSchemaWithResponseAsync(subject, Avro(Limit(1)), normalize: false);

        foreach (var (method, path, status) in new[]
        {
            (HttpMethod.Get, $"subjects/{subject}/metadata", HttpStatusCode.NotFound),
            (HttpMethod.Put, $"subjects/{subject}", HttpStatusCode.MethodNotAllowed),
            (HttpMethod.Get, "no/such/route", HttpStatusCode.NotFound),
            (HttpMethod.Get, "schemas/ids/999999/versions", HttpStatusCode.NotFound),
            (HttpMethod.Get, "subjects?deleted=maybe", HttpStatusCode.BadRequest),
        })
        {
            using var response = await http.SendAsync(new HttpRequestMessage(method, new Uri(path, UriKind.Relative)), TestContext.Current.CancellationToken);
            Assert.Equal(status, response.StatusCode);
            var error = await ReadJsonAsync(response);
            Assert.True(error["error_code"]!.GetValue<int>() > 0, path);
            Assert.False(string.IsNullOrEmpty(error["message"]!.GetValue<string>()), path);
        }

        Assert.Equal(["AVRO"], (await ReadJsonAsync(await http.GetAsync(new Uri("schemas/types", UriKind.Relative), TestContext.Current.CancellationToken))).AsArray().Select(t => t!.GetValue<string>()));
        var usedBy = (await ReadJsonAsync(await http.GetAsync(new Uri($"schemas/ids/{registered.Id}/versions", UriKind.Relative), TestContext.Current.CancellationToken))).AsArray();
        Assert.Contains(usedBy, v => v!["subject"]!.GetValue<string>() == subject && v["version"]!.GetValue<int>() == 1);
        Assert.Equal(subject, registered.Subject);
    }

    [Theory]
    [InlineData("""{"schema":""}""", 42201, "schema")]
    [InlineData("""{"schema":5}""", 42201, "'schema'")]
    [InlineData("""{"schema":"\"int\"","schemaType":5}""", 42201, "'schemaType'")]
    [InlineData("""{"schema":"\"int\"","references":5}""", 42201, "'references'")]
    [InlineData("""{"schema":"\"int\"","references":[5]}""", 42201, "reference")]
    [InlineData("""{"schema":"\"int\"","references":[{"name":"a","subject":"b","version":"one"}]}""", 42201, "'version'")]
    public async Task A_body_whose_fields_have_the_wrong_type_is_refused_as_invalid_on_every_route_that_takes_a_schema(string body, int errorCode, string named)
    {
        using var http = Http();
        var subject = Subject(nameof(A_body_whose_fields_have_the_wrong_type_is_refused_as_invalid_on_every_route_that_takes_a_schema));
        using var _ = await http.PostAsync(new Uri($"subjects/{subject}/versions", UriKind.Relative), Body(Limit(1)), TestContext.Current.CancellationToken);

        foreach (var path in new[] { $"subjects/{subject}/versions", $"subjects/{subject}", $"compatibility/subjects/{subject}/versions/latest" })
        {
            using var response = await http.PostAsync(new Uri(path, UriKind.Relative), RawBody(body), TestContext.Current.CancellationToken);
            var error = await ReadJsonAsync(response);
            Assert.Equal(((HttpStatusCode)422, errorCode), (response.StatusCode, error["error_code"]!.GetValue<int>()));
            Assert.Contains(named, error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("""{"compatibility":5}""")]
    [InlineData("""{"compatibility":["FULL"]}""")]
    public async Task A_compatibility_level_of_the_wrong_type_is_refused_as_invalid(string body)
    {
        using var http = Http();
        var subject = Subject(nameof(A_compatibility_level_of_the_wrong_type_is_refused_as_invalid));

        using var response = await http.PutAsync(new Uri($"config/{subject}", UriKind.Relative), RawBody(body), TestContext.Current.CancellationToken);

        var error = await ReadJsonAsync(response);
        Assert.Equal(((HttpStatusCode)422, 42203), (response.StatusCode, error["error_code"]!.GetValue<int>()));
        Assert.Contains("'compatibility'", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subject_is_soft_deleted_then_permanently_and_ids_keep_resolving()
    {
        using var client = Confluent();
        using var http = Http();
        var subject = Subject(nameof(A_subject_is_soft_deleted_then_permanently_and_ids_keep_resolving));
        var id = await client.RegisterSchemaAsync(subject, Avro(Limit(1)), normalize: false);

        using var tooEarly = await http.DeleteAsync(new Uri($"subjects/{subject}?permanent=true", UriKind.Relative), TestContext.Current.CancellationToken);
        var soft = await http.DeleteAsync(new Uri($"subjects/{subject}", UriKind.Relative), TestContext.Current.CancellationToken);
        var afterSoft = await client.GetAllSubjectsAsync();
        var permanent = await http.DeleteAsync(new Uri($"subjects/{subject}?permanent=true", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(40405, (await ReadJsonAsync(tooEarly))["error_code"]!.GetValue<int>());
        Assert.Equal([1], (await ReadJsonAsync(soft)).AsArray().Select(v => v!.GetValue<int>()));
        Assert.DoesNotContain(subject, afterSoft);
        Assert.Equal(HttpStatusCode.OK, permanent.StatusCode);
        Assert.Contains("\"n\"", (await client.GetSchemaAsync(id)).SchemaString, StringComparison.Ordinal);
        var reRegistered = await client.RegisterSchemaWithResponseAsync(subject, Avro(Limit(1)), normalize: false);
        Assert.Equal((id, 1), (reRegistered.Id, reRegistered.Version));
    }

    private static string Subject(string test) => new UniqueNames(test).Topic("subject") + "-value";

    private CachedSchemaRegistryClient Confluent() => new(new SchemaRegistryConfig { Url = registry.UrlText });

    private HttpClient Http() => new() { BaseAddress = new Uri(registry.UrlText + "/") };

    private static Schema Avro(string schema) => new(schema, SchemaType.Avro);

    private static StringContent Body(string schema) => RawBody(new JsonObject { ["schema"] = schema }.ToJsonString());

    private static StringContent RawBody(string json) => new(json, Encoding.UTF8, "application/vnd.schemaregistry.v1+json");

    private static async Task<JsonNode> ReadJsonAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))
        ?? throw new InvalidOperationException($"HTTP {(int)response.StatusCode} with an empty body");
}
