using System.Text.Json;

namespace Customer360.Streaming.Domain.Context;

/// <summary>
/// The canonical JSON document of a context: what Redis serves and what <c>c360 context get</c> prints (the state
/// stores keep the compact <see cref="State.ContextState"/> encoding). camelCase, enums as names, stable field order
/// (declaration order), so the same context always gives the same bytes. Serialized by source-generated code
/// (<see cref="DomainJsonContext"/>): no reflection on the path that writes every changed context to Redis.
/// </summary>
public static class ContextJson
{
    public static string Serialize(CustomerContext context) => JsonSerializer.Serialize(context, DomainJsonContext.Default.CustomerContext);

    public static byte[] SerializeToUtf8(CustomerContext context) => JsonSerializer.SerializeToUtf8Bytes(context, DomainJsonContext.Default.CustomerContext);

    public static CustomerContext Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, DomainJsonContext.Default.CustomerContext) ?? throw new JsonException("A context document was null.");

    public static CustomerContext Deserialize(string json) =>
        JsonSerializer.Deserialize(json, DomainJsonContext.Default.CustomerContext) ?? throw new JsonException("A context document was null.");
}
