using System.Text.Json.Nodes;
using Avro;
using Avro.Generic;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Domain;
using Customer360.Streaming.Runtime.Processing;
using Customer360.Streaming.Runtime.Topology;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;

namespace Customer360.Streaming.Pipeline;

/// <summary>
/// Reads nothing of a channel record but the customer it names itself (a signed-in click or app event), which is all
/// the identity stage needs to route it: the context stage then decodes and validates the whole event, once. Each
/// topic whose contract has a <c>customerId</c> is read with a reader schema of that one field, and Apache.Avro's
/// schema resolution skips the writer's other fields without building them.
/// </summary>
internal sealed class NamedCustomerReader
{
    private const string CustomerIdField = "customerId";

    private readonly Dictionary<string, AvroDeserializer<GenericRecord>> _readers = new(StringComparer.Ordinal);

    public NamedCustomerReader(ISchemaRegistryClient registry, AvroSerdeOptions serdeOptions, SchemaCatalog contracts, TopicCatalog topics, UnknownSchemaIdRetry? unknownIds)
    {
        foreach (var topic in topics.Topics.Where(t => t.ValueSchema is not null && t.Role == TopicRole.Input))
        {
            if (CustomerIdOnly(contracts.Latest(topic.ValueSchema!).Schema) is { } projection)
            {
                _readers[topic.Name] = new AvroDeserializer<GenericRecord>(registry, serdeOptions, projection, unknownIds);
            }
        }
    }

    /// <summary>
    /// The customer id <paramref name="value"/> carries, or null when its topic's contract has none or the record
    /// leaves it null. A record that does not frame or decode as far as that, or names an id no key may hold, is an
    /// invalid value here already, as it would be in the full decode.
    /// </summary>
    public string? Read(string topic, byte[] value)
    {
        if (!_readers.TryGetValue(topic, out var reader))
        {
            return null;
        }

        GenericRecord record;
        try
        {
            record = reader.Deserialize(value);
        }
        catch (SerdeException ex)
        {
            throw ex.AsRecordFailure();
        }

        if (!record.TryGetValue(CustomerIdField, out var named) || named is null)
        {
            return null;
        }

        return named is string id && EntityIds.Problem(id) is null
            ? id
            : throw new PoisonRecordException($"{record.Schema.Name}.{CustomerIdField} {EntityIds.Problem(named as string) ?? "is not a string"}.");
    }

    /// <summary>The contract's record with only its customerId field (name, namespace and the field's own type and default kept), or null without one.</summary>
    private static Schema? CustomerIdOnly(Schema contract)
    {
        var full = JsonNode.Parse(contract.ToString())!.AsObject();
        var field = full["fields"]?.AsArray().FirstOrDefault(f => f?["name"]?.GetValue<string>() == CustomerIdField);
        if (field is null)
        {
            return null;
        }

        var projection = new JsonObject { ["type"] = "record", ["name"] = full["name"]!.DeepClone(), ["fields"] = new JsonArray(field.DeepClone()) };
        if (full["namespace"] is { } space)
        {
            projection["namespace"] = space.DeepClone();
        }

        return Schema.Parse(projection.ToJsonString());
    }
}
