namespace Customer360.Streaming.Runtime.Processing;

/// <summary>
/// The changelog records of one commit, made before they may be sent. Under at_least_once a changelog record must not
/// reach the broker before the outputs of the inputs it marks applied are acknowledged, and making the records first
/// lets the processors publish their once-per-commit outputs (the context snapshots) before the outputs' flush, so
/// that flush covers them too. The encoding then also runs while earlier outputs are in flight (on the embedded broker
/// the commit took as long: each flush still waits out a round trip).
/// </summary>
internal sealed class ChangelogBatch
{
    private readonly List<OutgoingRecord> _records = [];
    private bool _prepared;

    /// <summary>
    /// Lets every task emit what it coalesced and takes its stores' changes into this batch (not sent yet); the
    /// processors' keys among them are added to <paramref name="changed"/>.
    /// </summary>
    public void Prepare(IEnumerable<StreamTask> tasks, ICollection<StoreChange> changed)
    {
        foreach (var task in tasks)
        {
            task.PrepareChangelog(changed, _records);
        }

        _prepared = true;
    }

    /// <summary>Sends the prepared records (preparing them first when this commit did not), and empties the batch.</summary>
    public void Send(IEnumerable<StreamTask> tasks, ICollection<StoreChange> changed, IRecordCollector collector)
    {
        if (!_prepared)
        {
            Prepare(tasks, changed);
        }

        try
        {
            foreach (var record in _records)
            {
                collector.Send(record);
            }
        }
        finally
        {
            Discard();
        }
    }

    /// <summary>Drops prepared records that will not be sent: the commit they belonged to will not happen.</summary>
    public void Discard()
    {
        _records.Clear();
        _prepared = false;
    }
}
