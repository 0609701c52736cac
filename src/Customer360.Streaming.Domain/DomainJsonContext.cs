using System.Text.Json.Serialization;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Triggers;

namespace Customer360.Streaming.Domain;

/// <summary>
/// The domain's one JSON style, source-generated (no reflection on hot paths): camelCase, enums by name, every field
/// written, declaration order, so the same value always gives the same bytes. Used for the public context document
/// and for reading the trigger state that versions before the compact encoding stored.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true,
    WriteIndented = false)]
[JsonSerializable(typeof(CustomerContext))]
[JsonSerializable(typeof(AppliedEvent))]
[JsonSerializable(typeof(StoredTriggerState))]
internal sealed partial class DomainJsonContext : JsonSerializerContext;
