namespace Customer360.Streaming.Testing.Corpus;

/// <summary>
/// The seven input topics by contract, as a test names them (tests prefix topic names to stay apart), and the
/// customer-keyed twin of each channel topic that has one, by the channel topic.
/// </summary>
public sealed record InputTopics(
    string Clickstream, string Mobile, string Location, string Beacon, string Relationship, string Identity, string Responses,
    IReadOnlyDictionary<string, string>? KeyedByCustomer = null)
{
    public IReadOnlyList<string> All => [Clickstream, Mobile, Location, Beacon, Relationship, Identity, Responses];
}
