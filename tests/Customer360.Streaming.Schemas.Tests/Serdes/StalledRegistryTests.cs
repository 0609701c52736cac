using Avro.Generic;
using Customer360.Streaming.Embedded.SchemaRegistry;
using Customer360.Streaming.Contracts;
using Customer360.Streaming.Schemas.Registry;
using Customer360.Streaming.Schemas.Serdes;
using Customer360.Streaming.Testing;
using Customer360.Streaming.Testing.Avro;

namespace Customer360.Streaming.Schemas.Tests.Serdes;

/// <summary>
/// A stream thread may not wait on the registry beyond <see cref="AvroSerdeOptions.RegistryWaitMs"/>: a registry that
/// does not answer makes the record transient (its partition pauses and retries, polling goes on), while the lookup
/// itself goes on, so the retry finds its answer instead of asking again.
/// </summary>
public sealed class StalledRegistryTests
{
    private static readonly SchemaCatalog Contracts = SchemaCatalog.Load(Path.Combine(RepositoryLayout.Root, "schemas"));
    private static readonly AvroSerdeOptions ShortWait = new() { RegistryWaitMs = 50 };

    [Fact]
    public async Task ReadingWhileTheRegistryStalls_IsTransient_AndTheSameLookupAnswersTheRetry()
    {
        var schema = Contracts.Latest("location-fix").Schema;
        var known = new InProcessSchemaRegistry();
        var bytes = await new AvroSerializer<GenericRecord>(known).SerializeAsync(AvroSamples.Record(schema, 1), "fixes", cancellationToken: TestContext.Current.CancellationToken);
        var stalled = new StalledRegistry(known);
        var deserializer = new AvroDeserializer<GenericRecord>(stalled, ShortWait, schema);

        var whileStalled = Assert.Throws<SerdeException>(() => deserializer.Deserialize(bytes));
        var stillStalled = Assert.Throws<SerdeException>(() => deserializer.Deserialize(bytes));
        stalled.Answer();

        Assert.Equal(SerdeErrorKind.RegistryUnavailable, whileStalled.Kind);
        Assert.True(whileStalled.IsTransient);
        Assert.Contains("Avro:RegistryWaitMs", whileStalled.Message, StringComparison.Ordinal);
        Assert.True(stillStalled.IsTransient);
        Assert.Equal("LocationFix", OnceAnswered(() => deserializer.Deserialize(bytes)).Schema.Name);
        Assert.Equal(1, stalled.Calls);
    }

    [Fact]
    public void WritingWhileTheRegistryStalls_IsTransient_AndTheSameRegistrationAnswersTheRetry()
    {
        var schema = Contracts.Latest("location-fix").Schema;
        var stalled = new StalledRegistry(new InProcessSchemaRegistry());
        var serializer = new AvroSerializer<GenericRecord>(stalled, ShortWait);
        var record = AvroSamples.Record(schema, 1);

        var whileStalled = Assert.Throws<SerdeException>(() => serializer.Serialize(record, "fixes"));
        stalled.Answer();
        var written = OnceAnswered(() => serializer.Serialize(record, "fixes"));

        Assert.Equal(SerdeErrorKind.RegistryUnavailable, whileStalled.Kind);
        Assert.True(whileStalled.IsTransient);
        Assert.Contains("fixes-value", whileStalled.Message, StringComparison.Ordinal);
        Assert.Equal(1, stalled.Calls);
        Assert.Equal("LocationFix", new AvroDeserializer<GenericRecord>(stalled).Deserialize(written).Schema.Name);
    }

    [Fact]
    public void A_RegistryFailure_WithinTheWait_IsReportedAsItself()
    {
        var stalled = new StalledRegistry(new InProcessSchemaRegistry());
        stalled.Answer();
        var bytes = new byte[] { 0, 0, 0, 0, 42, 2 };

        var error = Assert.Throws<SerdeException>(() => new AvroDeserializer<GenericRecord>(stalled, ShortWait).Deserialize(bytes));

        Assert.Equal(SerdeErrorKind.UnknownSchemaId, error.Kind);
    }

    /// <summary>
    /// The call, repeated while it still reports the stall: the answered lookup may need longer than the 50 ms wait to
    /// come back on a busy machine. Each repetition waits on the same lookup (the registry counts the calls).
    /// </summary>
    private static T OnceAnswered<T>(Func<T> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return call();
            }
            catch (SerdeException ex) when (ex.IsTransient && attempt < 200)
            {
            }
        }
    }

    /// <summary>A registry whose lookups wait until <see cref="Answer"/> is called, then answer as <paramref name="inner"/> does.</summary>
    private sealed class StalledRegistry(ISchemaRegistryClient inner) : ISchemaRegistryClient
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        /// <summary>Lookups and registrations started (each waits for the gate).</summary>
        public int Calls => Volatile.Read(ref _calls);

        public void Answer() => _gate.TrySetResult();

        public async Task<int> RegisterAsync(string subject, string schema, bool normalize = false, CancellationToken cancellationToken = default)
        {
            await Stall();
            return await inner.RegisterAsync(subject, schema, normalize, cancellationToken);
        }

        public async Task<RegisteredSchema> LookupAsync(string subject, string schema, CancellationToken cancellationToken = default)
        {
            await Stall();
            return await inner.LookupAsync(subject, schema, cancellationToken);
        }

        public async Task<string> GetSchemaAsync(int id, CancellationToken cancellationToken = default)
        {
            await Stall();
            return await inner.GetSchemaAsync(id, cancellationToken);
        }

        public Task<RegisteredSchema> GetLatestAsync(string subject, CancellationToken cancellationToken = default) => inner.GetLatestAsync(subject, cancellationToken);

        public Task<RegisteredSchema> GetVersionAsync(string subject, int version, CancellationToken cancellationToken = default) =>
            inner.GetVersionAsync(subject, version, cancellationToken);

        public Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) => inner.GetSubjectsAsync(cancellationToken);

        public Task<CompatibilityResult> TestCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default) =>
            inner.TestCompatibilityAsync(subject, schema, cancellationToken);

        public Task<CompatibilityLevel> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default) =>
            inner.GetCompatibilityAsync(subject, cancellationToken);

        public Task SetCompatibilityAsync(CompatibilityLevel level, string? subject = null, CancellationToken cancellationToken = default) =>
            inner.SetCompatibilityAsync(level, subject, cancellationToken);

        private Task Stall()
        {
            Interlocked.Increment(ref _calls);
            return _gate.Task;
        }
    }
}
