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

    [Theory]
    [InlineData("contextId")]
    [InlineData("inStore")]
    [InlineData("location")]
    [InlineData("identifiers")]
    public void A_document_that_is_JSON_but_holds_null_where_a_context_cannot_is_refused_as_not_a_context(string part)
    {
        // Someone's HSET of such a document into Redis read as a context with that part null, and the customer's page
        // answered 500 (a NullReferenceException); one that is not JSON at all shows what is wrong.
        var written = System.Text.Json.Nodes.JsonNode.Parse(ContextJson.Serialize(CustomerContext.Empty("c-1")))!.AsObject();
        var nulled = written.DeepClone().AsObject();
        nulled[part] = null;

        Assert.Throws<JsonException>(() => ContextJson.Deserialize(nulled.ToJsonString()));
        Assert.Equal("c-1", ContextJson.Deserialize(written.ToJsonString()).ContextId);
    }
}
