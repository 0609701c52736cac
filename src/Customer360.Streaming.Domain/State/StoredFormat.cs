namespace Customer360.Streaming.Domain.State;

/// <summary>
/// What the stored state encodings share: a value's first byte names its format, <c>{</c> names the JSON that earlier
/// versions wrote, and any other byte is a format this version does not know, refused with the same advice.
/// </summary>
internal static class StoredFormat
{
    public const byte JsonDocumentStart = (byte)'{';

    /// <param name="what">The stored value, as a noun phrase: "context", "trigger state", "identity state".</param>
    public static InvalidDataException Empty(string what) => new($"A stored {what} is empty.");

    public static InvalidDataException Unknown(string what, byte format) =>
        new($"A stored {what} has format {format}, which this version does not know (a newer version wrote it?). Run the version that wrote it, or rebuild the state.");
}
