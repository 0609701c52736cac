using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

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

    /// <summary>
    /// Reads a document as the context it must be: null where the type allows none (a document someone else wrote into
    /// Redis, <c>"inStore": null</c>) is a <see cref="JsonException"/>, as text that is not JSON is, and not a context
    /// with a part missing that its first reader trips over. Writing is unaffected: the same generated code.
    /// </summary>
    private static readonly JsonTypeInfo<CustomerContext> Reading = (JsonTypeInfo<CustomerContext>)new JsonSerializerOptions(DomainJsonContext.Default.Options)
    {
        RespectNullableAnnotations = true,
    }.GetTypeInfo(typeof(CustomerContext));

    public static CustomerContext Deserialize(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, Reading) ?? throw new JsonException("A context document was null.");

    public static CustomerContext Deserialize(string json) =>
        JsonSerializer.Deserialize(json, Reading) ?? throw new JsonException("A context document was null.");
}
