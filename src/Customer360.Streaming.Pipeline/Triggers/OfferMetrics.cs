using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Customer360.Streaming.Domain.Decisioning;

namespace Customer360.Streaming.Pipeline.Triggers;

/// <summary>
/// What people watch of decisioning: offers sent and answered per offer and segment, the acceptance that makes
/// (accepted ÷ answered, since this process started), and segment entries and leaves.
/// </summary>
public sealed class OfferMetrics
{
    private readonly Counter<long> _sent;
    private readonly Counter<long> _responses;
    private readonly Counter<long> _segmentChanges;
    private readonly ConcurrentDictionary<(string Offer, string Segment), AnswerTally> _answered = new();

    public OfferMetrics(Meter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        _sent = meter.CreateCounter<long>("c360.offers.sent", "{offer}", "Offers sent, by offer, segment and whether the learned policy explored");
        _responses = meter.CreateCounter<long>("c360.offers.responses", "{response}", "Offer responses learned from, by offer, segment and outcome (accepted, ignored)");
        _segmentChanges = meter.CreateCounter<long>("c360.segments.changes", "{change}", "Segment entries and leaves, by segment and change (entered, left)");
        meter.CreateObservableGauge("c360.offers.acceptance", Acceptance, "1", "Accepted share of answered offers per offer and segment, since the process started");
    }

    public void Sent(OfferSend send)
    {
        ArgumentNullException.ThrowIfNull(send);
        _sent.Add(1, new("offer", send.OfferId), new("segment", send.Segment), new("explored", send.Explored ? "true" : "false"));
    }

    public void Answered(OfferOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        _responses.Add(1, new("offer", outcome.OfferId), new("segment", outcome.Segment), new("outcome", outcome.Accepted ? "accepted" : "ignored"));
        _answered.AddOrUpdate(
            (outcome.OfferId, outcome.Segment),
            _ => new AnswerTally(outcome.Accepted ? 1 : 0, 1),
            (_, seen) => new AnswerTally(seen.Accepted + (outcome.Accepted ? 1 : 0), seen.Total + 1));
    }

    public void SegmentChanged(SegmentChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _segmentChanges.Add(1, new("segment", change.Segment), new("change", change.Entered ? "entered" : "left"));
    }

    /// <summary>Answered offers so far, per offer and segment: (accepted, answered).</summary>
    public IReadOnlyDictionary<(string Offer, string Segment), (long Accepted, long Answered)> Answers() =>
        _answered.ToDictionary(a => a.Key, a => (a.Value.Accepted, a.Value.Total));

    private IEnumerable<Measurement<double>> Acceptance() =>
        _answered.Select(a => new Measurement<double>((double)a.Value.Accepted / a.Value.Total, new("offer", a.Key.Offer), new("segment", a.Key.Segment)));

    private readonly record struct AnswerTally(long Accepted, long Total);
}
