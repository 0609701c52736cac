using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.Schemas.Tests.Contracts;

public sealed class SchemaCatalogTests
{
    private static string SchemasDirectory => Path.Combine(RepositoryLayout.Root, "schemas");

    [Fact]
    public void Load_ShippedContracts_UseLogicalTypesForTimeIdsAndMoney()
    {
        var click = SchemaCatalog.Load(SchemasDirectory).Latest("clickstream-event").Json;

        Assert.Contains("\"logicalType\":\"uuid\"", click, StringComparison.Ordinal);
        Assert.Contains("\"logicalType\":\"timestamp-millis\"", click, StringComparison.Ordinal);
        Assert.Contains("\"logicalType\":\"decimal\"", click, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BrokenContracts_ListsEveryProblemWithFileAndField()
    {
        var root = Directory.CreateTempSubdirectory("c360-contracts-").FullName;
        try
        {
            Write(root, "good", 1, Record("customer360.test", "Good", """{"name":"eventId","type":"string","doc":"id"},{"name":"eventTime","type":"long","doc":"time"}"""));
            Write(root, "good", 2, Record("customer360.test", "Good", """{"name":"eventId","type":"string","doc":"id"},{"name":"eventTime","type":"long","doc":"time"},{"name":"added","type":"int","doc":"no default"}"""));
            Write(root, "undocumented", 1, Record("customer360.test", "Undocumented", """{"name":"eventId","type":"string","doc":"id"},{"name":"eventTime","type":"long"}"""));
            Write(root, "foreign", 1, Record("com.example", "Foreign", """{"name":"eventId","type":"string","doc":"id"},{"name":"eventTime","type":"long","doc":"t"}"""));
            Write(root, "timeless", 1, Record("customer360.test", "Timeless", """{"name":"eventId","type":"string","doc":"id"}"""));
            Write(root, "gappy", 2, Record("customer360.test", "Gappy", """{"name":"eventId","type":"string","doc":"id"},{"name":"eventTime","type":"long","doc":"t"}"""));
            Directory.CreateDirectory(Path.Combine(root, "broken"));
            File.WriteAllText(Path.Combine(root, "broken", "v1.avsc"), "{ not avro");

            var error = Assert.Throws<InvalidDataException>(() => SchemaCatalog.Load(root));

            Assert.Contains("good/v2.avsc: not compatible with v1: BACKWARD", error.Message, StringComparison.Ordinal);
            Assert.Contains("undocumented/v1.avsc: field Undocumented.eventTime has no doc", error.Message, StringComparison.Ordinal);
            Assert.Contains("foreign/v1.avsc: namespace 'com.example' must start with customer360.", error.Message, StringComparison.Ordinal);
            Assert.Contains("timeless/v1.avsc: record Timeless has no 'eventTime' field", error.Message, StringComparison.Ordinal);
            Assert.Contains("gappy/v2.avsc: versions must be numbered 1, 2, 3", error.Message, StringComparison.Ordinal);
            Assert.Contains("broken/v1.avsc: not a valid Avro schema", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Theory]
    [InlineData("", "v1.avsc: is empty")]
    [InlineData("  \n ", "v1.avsc: is empty")]
    [InlineData("\"string\"", "v1.avsc: not a valid Avro schema: the top level must be a record")]
    public void Load_ContractFileWithoutARecord_IsListedNotThrownAndNotCalledMissing(string text, string expected)
    {
        // An empty file ended `c360 schemas check` with an unhandled ArgumentNullException from Avro's parser.
        var root = Directory.CreateTempSubdirectory("c360-contracts-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "blank"));
            File.WriteAllText(Path.Combine(root, "blank", "v1.avsc"), text);

            var error = Assert.Throws<InvalidDataException>(() => SchemaCatalog.Load(root));

            Assert.Contains($"blank/{expected}", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("no vN.avsc file", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static string Record(string ns, string name, string fields) =>
        $$"""{"type":"record","name":"{{name}}","namespace":"{{ns}}","doc":"test","fields":[{{fields}}]}""";

    private static void Write(string root, string contract, int version, string json)
    {
        Directory.CreateDirectory(Path.Combine(root, contract));
        File.WriteAllText(Path.Combine(root, contract, $"v{version}.avsc"), json);
    }
}
