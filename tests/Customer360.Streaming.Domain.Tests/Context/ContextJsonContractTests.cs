using System.Text.Json;
using System.Text.Json.Serialization;
using CsCheck;
using Customer360.Streaming.Domain.Context;
using Customer360.Streaming.Domain.Tests.State;

namespace Customer360.Streaming.Domain.Tests.Context;

/// <summary>The public JSON of a context (Redis, <c>c360 context get</c>) is what the reflection-based serializer wrote before.</summary>
public sealed class ContextJsonContractTests
{
    /// <summary>The options the document was defined with: camelCase, enums as names, nothing left out.</summary>
    private static readonly JsonSerializerOptions Contract = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
    };

    [Fact]
    public void The_source_generated_document_is_byte_for_byte_the_contract_and_reads_back()
    {
        ContextGenerators.Contexts.Sample(context =>
        {
            var document = ContextJson.Serialize(context);

            Assert.Equal(JsonSerializer.Serialize(context, Contract), document);
            Assert.Equal(document, ContextJson.Serialize(ContextJson.Deserialize(document)));
        }, iter: 500);
    }
}
