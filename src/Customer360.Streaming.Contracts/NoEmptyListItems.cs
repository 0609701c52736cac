using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Customer360.Streaming.Contracts;

/// <summary>
/// Refuses an empty list item (<c>- ~</c>, <c>-</c> alone, <c>[a, ~]</c>) with its line, where the collection reader
/// would put a null into a list the catalogs declare as holding none.
/// </summary>
internal sealed class NoEmptyListItems(INodeDeserializer collections) : INodeDeserializer
{
    public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer, out object? value, ObjectDeserializer rootDeserializer) =>
        collections.Deserialize(reader, expectedType, (parser, itemType) =>
        {
            var start = parser.Current?.Start ?? Mark.Empty;
            return nestedObjectDeserializer(parser, itemType)
                ?? throw new YamlException(start, parser.Current?.End ?? start, "a list item is empty (nothing or ~ where a value belongs)");
        }, out value, rootDeserializer);
}
