namespace Customer360.Streaming.Domain;

/// <summary>
/// The longest free texts an input may bring into a context (ids are bounded by <see cref="EntityIds"/>). A context
/// keeps what its events said, and the whole of it has to fit one Kafka record, its changelog's and its snapshot's:
/// two valid records of the payload limit's size, a long page URL and a long profile, made one context too large to
/// commit, and every commit after failed with it. A longer text is an invalid value at the edge, dead-lettered whole.
/// </summary>
public static class TextLimits
{
    /// <summary>A page URL: the request-line limit common web servers apply (8 KiB).</summary>
    public const int Url = 8_192;

    /// <summary>What a customer typed into a search box.</summary>
    public const int SearchQuery = 1_024;

    /// <summary>A name kept as a key or a label: a session, product, category, screen, segment, time zone or language.</summary>
    public const int Name = EntityIds.MaxLength;

    /// <summary>How many preferred categories a relationship profile may name.</summary>
    public const int PreferredCategories = 50;
}
