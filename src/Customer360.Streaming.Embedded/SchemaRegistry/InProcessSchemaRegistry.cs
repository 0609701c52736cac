using Customer360.Streaming.Schemas.Registry;

namespace Customer360.Streaming.Embedded.SchemaRegistry;

/// <summary>
/// The embedded registry's store behind the client interface, without HTTP: offline replays (<c>c360 rules test</c>)
/// encode into it without touching a real registry, and tests get real registry behaviour (ids, versions,
/// compatibility) and can switch it off to simulate an outage.
/// </summary>
public sealed class InProcessSchemaRegistry(CompatibilityLevel level = CompatibilityLevel.Backward) : ISchemaRegistryClient
{
    private int _calls;

    public RegistryStore Store { get; } = new(level);

    /// <summary>False makes every call fail as an unreachable registry would.</summary>
    public bool Available { get; set; } = true;

    public int Calls => Volatile.Read(ref _calls);

    public Task<int> RegisterAsync(string subject, string schema, bool normalize = false, CancellationToken cancellationToken = default) =>
        Call(() => Store.Register(subject, schema));

    public Task<RegisteredSchema> LookupAsync(string subject, string schema, CancellationToken cancellationToken = default) =>
        Call(() => Store.Lookup(subject, schema));

    public Task<string> GetSchemaAsync(int id, CancellationToken cancellationToken = default) => Call(() => Store.SchemaById(id));

    public Task<RegisteredSchema> GetLatestAsync(string subject, CancellationToken cancellationToken = default) =>
        Call(() => Store.Version(subject, "latest"));

    public Task<RegisteredSchema> GetVersionAsync(string subject, int version, CancellationToken cancellationToken = default) =>
        Call(() => Store.Version(subject, version.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public Task<IReadOnlyList<string>> GetSubjectsAsync(CancellationToken cancellationToken = default) => Call(() => Store.Subjects());

    public Task<CompatibilityResult> TestCompatibilityAsync(string subject, string schema, CancellationToken cancellationToken = default) =>
        Call(() => Store.TestCompatibility(subject, "latest", schema));

    public Task<CompatibilityLevel> GetCompatibilityAsync(string? subject = null, CancellationToken cancellationToken = default) =>
        Call(() => Store.GetLevel(subject, defaultToGlobal: true));

    public Task SetCompatibilityAsync(CompatibilityLevel level, string? subject = null, CancellationToken cancellationToken = default) =>
        Call(() =>
        {
            Store.SetLevel(subject, CompatibilityLevels.ToWire(level));
            return true;
        });

    private Task<T> Call<T>(Func<T> action)
    {
        Interlocked.Increment(ref _calls);
        return Available
            ? Task.FromResult(action())
            : Task.FromException<T>(new SchemaRegistryException(0, SchemaRegistryException.Codes.Unreachable, "registry switched off by the test"));
    }
}
