using Customer360.Streaming.Contracts;
using Customer360.Streaming.Testing;

namespace Customer360.Streaming.IntegrationTests;

/// <summary>Starts the built c360 program as a separate process, as a user or service manager would.</summary>
internal static class C360Program
{
    /// <summary>
    /// Starts <c>c360</c> with <paramref name="arguments"/>. Unless the test says otherwise, with one stream thread
    /// (the embedded broker holds a group's rebalance until a member's session times out when another member joins,
    /// so every further thread adds a session timeout to the start), and as an instance of its own: a state folder
    /// and an instance id no other start shares. With the defaults, two tests' <c>c360 run</c>s of one application id
    /// met on the state folder's lock, or under exactly_once_v2 on the instance's, and the later one refused to start.
    /// A test that restarts a processor on its state names the folder, and the restarts keep the instance id.
    /// </summary>
    public static ChildProcess Start(IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var settings = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>(), StringComparer.Ordinal);
        settings.TryAdd("C360__Streams__Threads", "1");
        if (!settings.ContainsKey("C360__Streams__StateDirectory"))
        {
            settings["C360__Streams__StateDirectory"] = TestScratch.Run.NewDirectory("c360-state-");
            settings.TryAdd("C360__Streams__InstanceId", "test-" + Guid.NewGuid().ToString("N")[..12]);
        }

        return ChildProcess.Start("dotnet", [RepositoryLayout.C360Dll, .. arguments], settings, workingDirectory: TestScratch.Run.WorkingDirectory);
    }

    /// <summary>
    /// <see cref="WritePrefixedTopology"/>, and every topic of it created on the test's broker (which has no
    /// CreateTopics, so a processor cannot create them itself). Returns the folder and its catalog.
    /// </summary>
    public static async Task<(string Directory, TopicCatalog Catalog)> CreatePrefixedTopicsAsync(KafkaFixture kafka, UniqueNames names, string applicationId)
    {
        var directory = WritePrefixedTopology(names, applicationId);
        var catalog = TopicCatalog.Load(Path.Combine(directory, "topics.yaml"));
        foreach (var topic in catalog.Topics)
        {
            await kafka.CreateTopicAsync(topic.Name, topic.Partitions);
        }

        return (directory, catalog);
    }

    /// <summary>
    /// Writes a copy of the topology folder whose topic names carry the test's prefix, so tests never share topics.
    /// Internal topics (named after the application id, <c>c360-…</c>) are renamed for <paramref name="applicationId"/>.
    /// With <paramref name="withRules"/>, the shipped triggers.yaml comes along, its output topics renamed the same way.
    /// </summary>
    public static string WritePrefixedTopology(UniqueNames names, string applicationId, bool withRules = false)
    {
        var source = File.ReadAllText(RepositoryLayout.TopicsFile);
        var prefixed = System.Text.RegularExpressions.Regex.Replace(
            source,
            @"(?m)^(\s*- name: )(\S+)$",
            m => m.Groups[1].Value + (m.Groups[2].Value.StartsWith("c360-", StringComparison.Ordinal)
                ? applicationId + m.Groups[2].Value["c360".Length..]
                : names.Topic(m.Groups[2].Value)));
        var directory = TestScratch.Run.NewDirectory("c360-topology-");
        File.WriteAllText(Path.Combine(directory, "topics.yaml"), prefixed);
        File.Copy(Path.Combine(RepositoryLayout.TopologyDirectory, "stores.yaml"), Path.Combine(directory, "stores.yaml"));
        if (withRules)
        {
            var rules = System.Text.RegularExpressions.Regex.Replace(
                File.ReadAllText(Path.Combine(RepositoryLayout.TopologyDirectory, "triggers.yaml")),
                @"(?m)^(\s*topic: )(\S+)$",
                m => m.Groups[1].Value + names.Topic(m.Groups[2].Value));
            File.WriteAllText(Path.Combine(directory, "triggers.yaml"), rules);

            // The rules name segments and offers, which load from beside the rule file.
            foreach (var catalog in new[] { "segments.yaml", "offers.yaml" })
            {
                File.Copy(Path.Combine(RepositoryLayout.TopologyDirectory, catalog), Path.Combine(directory, catalog));
            }
        }

        return directory;
    }

    /// <summary>
    /// Polls <c>/health/ready</c> until it answers 200, the process exits or a minute passes, and while it is not
    /// ready, <c>/health/live</c> too, as an orchestrator's probes would: what each answered until then.
    /// </summary>
    public static async Task<(bool Ready, List<(System.Net.HttpStatusCode Live, string Ready)> NotReady)> ProbeUntilReadyAsync(HttpClient http, ChildProcess processor)
    {
        var notReady = new List<(System.Net.HttpStatusCode Live, string Ready)>();
        for (var attempt = 0; attempt < 1_200 && !processor.HasExited; attempt++)
        {
            try
            {
                using var readiness = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (readiness.StatusCode == System.Net.HttpStatusCode.OK)
                {
                    return (true, notReady);
                }

                using var liveness = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
                notReady.Add((liveness.StatusCode, await readiness.Content.ReadAsStringAsync()));
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        return (false, notReady);
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200 (true), the process exits or a minute passes (false).</summary>
    public static async Task<bool> WaitForReadyAsync(HttpClient http, ChildProcess processor) => (await ProbeUntilReadyAsync(http, processor)).Ready;
}
