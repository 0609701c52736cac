using System.Text.Json;
using System.Text.Json.Serialization;

namespace Customer360.Streaming.Domain.Context;

/// <summary>
/// The canonical JSON document of a context: what Redis serves and what <c>c360 context get</c> prints (the state
/// stores keep the compact <see cref="State.ContextState"/> encoding). camelCase, enums as names, stable field order (declaration order), so the same
/// context always gives the same bytes.
/// </summary>
public static class ContextJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = false,
    };

    public static string Serialize(CustomerContext context) => JsonSerializer.Serialize(context, Options);

    public static byte[] SerializeToUtf8(CustomerContext context) => JsonSerializer.SerializeToUtf8Bytes(context, Options);

    public static CustomerContext Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<CustomerContext>(utf8, Options) ?? throw new JsonException("A context document was null.");

    public static CustomerContext Deserialize(string json) =>
        JsonSerializer.Deserialize<CustomerContext>(json, Options) ?? throw new JsonException("A context document was null.");
}
