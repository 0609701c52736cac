using Confluent.Kafka;
using Customer360.Streaming.Runtime.Kafka;
using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Kafka;

public sealed class KafkaPropertyCheckTests
{
    private static readonly KafkaOptions NoProperties = new() { BootstrapServers = "127.0.0.1:9", ApplicationId = "app" };

    public static TheoryData<ProcessingGuarantee, bool> Runtimes => new()
    {
        { ProcessingGuarantee.AtLeastOnce, false },
        { ProcessingGuarantee.AtLeastOnce, true },
        { ProcessingGuarantee.ExactlyOnceV2, false },
        { ProcessingGuarantee.ExactlyOnceV2, true },
    };

    /// <summary>
    /// A setting the runtime gives one of its clients replaces whatever <c>Kafka:Properties</c> said, so a user who set
    /// it would find it silently ignored. Every such setting must be refused at startup with the reason, which only
    /// holds while this test reads the settings from the configs the clients are really built with.
    /// </summary>
    [Theory]
    [MemberData(nameof(Runtimes))]
    public void EverySettingTheRuntimeGivesItsClients_IsRefusedInProperties_WithWhereItComesFrom(ProcessingGuarantee guarantee, bool staticMembership)
    {
        var streams = new StreamsOptions { ProcessingGuarantee = guarantee, StaticMembership = staticMembership };
        var given = KafkaClientConfigs.Producer(NoProperties, "p")
            .Concat(KafkaClientConfigs.Consumer(NoProperties, "group", "c"))
            .Concat(KafkaClientConfigs.Admin(NoProperties, "a"))
            .Concat(KafkaClientConfigs.StreamProducer(NoProperties, streams, "app", 1, "app-1"))
            .Concat(KafkaClientConfigs.StreamConsumer(NoProperties, streams, "app", 1, "app-1"))
            .Where(setting => setting.Key != "fetch.queue.backoff.ms")
            .DistinctBy(setting => setting.Key)
            .ToList();

        Assert.Contains(given, setting => setting.Key == "dotnet.producer.delivery.report.fields");
        foreach (var (key, value) in given)
        {
            var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { [key] = value }));
            Assert.Matches($"^Kafka:Properties:{key} (is (fixed|set) by the runtime|is [A-Za-z]+:[A-Za-z]+; set that instead)", problem);
        }
    }

    /// <summary>The fetch backoff is a default of ours, given only when the user did not choose one.</summary>
    [Fact]
    public void TheFetchBackoff_IsTheUsersToChoose()
    {
        Assert.Empty(KafkaPropertyCheck.Problems(new Dictionary<string, string> { ["fetch.queue.backoff.ms"] = "250" }));
    }

    /// <summary>
    /// Without delivery reports every send of the record collector throws, and a consume result without headers loses
    /// the origin the output ids are built from: either would break the processor at its first record.
    /// </summary>
    [Theory]
    [InlineData("dotnet.producer.enable.delivery.reports", "false")]
    [InlineData("dotnet.consumer.consume.result.fields", "none")]
    public void ConfluentKafkaSettingsTheRuntimeDependsOn_AreRefused(string key, string value)
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { [key] = value }));
        Assert.StartsWith($"Kafka:Properties:{key} is fixed by the runtime", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// librdkafka accepts <c>max.in.flight</c> 10 on its own, but refuses it on an idempotent producer, which every
    /// producer of the runtime is: checked alone, the setting passed validation and the first stream thread failed.
    /// </summary>
    [Fact]
    public void AValueLibrdkafkaRefusesBesideTheRuntimesOwnSettings_IsRefusedAtStartup()
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { ["max.in.flight"] = "10" }));

        Assert.StartsWith("Kafka:Properties:max.in.flight has a value librdkafka does not accept", problem, StringComparison.Ordinal);
    }

    /// <summary>Each of these is fine alone; together they break librdkafka's rule that a fetch holds the largest message.</summary>
    [Fact]
    public void SettingsLibrdkafkaRefusesOnlyTogether_AreRefusedNamingBoth_WithoutTheirValues()
    {
        var properties = new Dictionary<string, string> { ["message.max.bytes"] = "3000000", ["fetch.max.bytes"] = "2000000" };

        var problem = Assert.Single(KafkaPropertyCheck.Problems(properties));

        Assert.StartsWith("Kafka:Properties fetch.max.bytes, message.max.bytes have values librdkafka does not accept together", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("3000000", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// A message may not outlive its transaction: librdkafka refuses a <c>message.timeout.ms</c> above the transaction
    /// timeout, but only on a transactional producer, so the check is made with the stream threads' own guarantee.
    /// </summary>
    [Fact]
    public void ASettingOnlyTheTransactionalProducerRefuses_IsNamedUnderExactlyOnce_WithTheTimeoutItIsWeighedAgainst()
    {
        var properties = new Dictionary<string, string> { ["message.timeout.ms"] = "20000", ["socket.keepalive.enable"] = "true" };

        Assert.Empty(KafkaPropertyCheck.Problems(properties));
        Assert.Null(KafkaPropertyCheck.ProblemBeside(new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.AtLeastOnce }, properties));
        Assert.Null(KafkaPropertyCheck.ProblemBeside(new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2, TransactionTimeoutMs = 20_000 }, properties));
        var problem = KafkaPropertyCheck.ProblemBeside(new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2, TransactionTimeoutMs = 15_000 }, properties);

        Assert.Equal(
            "Kafka:Properties:message.timeout.ms has a value librdkafka does not accept beside Streams:ProcessingGuarantee ExactlyOnceV2 and Streams:TransactionTimeoutMs 15000 (librdkafka: `message.timeout.ms` must be set <= `transaction.timeout.ms`).",
            problem);
    }

    /// <summary>What <see cref="KafkaPropertyCheck.Problems"/> reports is not reported a second time beside the transaction.</summary>
    [Fact]
    public void ASettingRefusedOnItsOwn_IsNotReportedAgainBesideTheTransaction()
    {
        var properties = new Dictionary<string, string> { ["max.in.flight"] = "10" };

        Assert.Single(KafkaPropertyCheck.Problems(properties));
        Assert.Null(KafkaPropertyCheck.ProblemBeside(new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2 }, properties));
    }

    /// <summary>
    /// The README's settings for a real Kafka behind SASL (Confluent Cloud's, say). librdkafka refuses
    /// <c>security.protocol</c> SASL_SSL on its own, as its default mechanism GSSAPI has no provider in this build, but
    /// accepts it beside <c>sasl.mechanism</c> PLAIN: checked one setting at a time, they stopped every start.
    /// </summary>
    [Theory]
    [InlineData(ProcessingGuarantee.AtLeastOnce)]
    [InlineData(ProcessingGuarantee.ExactlyOnceV2)]
    public void SettingsLibrdkafkaAcceptsOnlyTogether_PassTheCheck(ProcessingGuarantee guarantee)
    {
        var properties = SaslPlain();

        Assert.Empty(KafkaPropertyCheck.Problems(properties));
        Assert.Null(KafkaPropertyCheck.ProblemBeside(new StreamsOptions { ProcessingGuarantee = guarantee }, properties));
    }

    /// <summary>Among settings that need each other, a refused value is still named alone, and the others are not blamed.</summary>
    [Fact]
    public void ARefusedValueBesideSettingsThatNeedEachOther_IsTheOneNamed()
    {
        var properties = SaslPlain();
        properties["socket.timeout.ms"] = "5";

        var problem = Assert.Single(KafkaPropertyCheck.Problems(properties));

        Assert.StartsWith("Kafka:Properties:socket.timeout.ms has a value librdkafka does not accept", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-password", problem, StringComparison.Ordinal);
    }

    /// <summary>A transactional refusal beside settings that need each other names the setting it is about.</summary>
    [Fact]
    public void ASettingOnlyTheTransactionalProducerRefuses_BesideSettingsThatNeedEachOther_IsTheOneNamed()
    {
        var properties = SaslPlain();
        properties["message.timeout.ms"] = "20000";

        var problem = KafkaPropertyCheck.ProblemBeside(new StreamsOptions { ProcessingGuarantee = ProcessingGuarantee.ExactlyOnceV2, TransactionTimeoutMs = 15_000 }, properties);

        Assert.StartsWith("Kafka:Properties:message.timeout.ms has a value librdkafka does not accept beside", problem, StringComparison.Ordinal);
    }

    /// <summary>What librdkafka cannot do whatever else is set is still refused, naming the setting that asks for it.</summary>
    [Fact]
    public void ASaslProtocolWithoutAMechanismThisBuildHas_IsRefused()
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { ["security.protocol"] = "SASL_SSL" }));

        Assert.StartsWith("Kafka:Properties:security.protocol has a value librdkafka does not accept (librdkafka: No provider for SASL mechanism GSSAPI", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// A CA file librdkafka cannot read is refused only once TLS is asked for, so neither setting is refused alone. The
    /// message names the two that clash, not every setting given: each of them must go for the rest to pass.
    /// </summary>
    [Fact]
    public void SettingsRefusedOnlyTogether_AreNamedWithoutTheSettingsThatPlayNoPart()
    {
        var properties = new Dictionary<string, string>
        {
            ["security.protocol"] = "SSL",
            ["ssl.ca.location"] = "/nonexistent/ca.pem",
            ["session.timeout.ms"] = "6000",
        };

        var problem = Assert.Single(KafkaPropertyCheck.Problems(properties));

        Assert.StartsWith("Kafka:Properties security.protocol, ssl.ca.location have values librdkafka does not accept together (librdkafka: ssl.ca.location failed", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("/nonexistent", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// A properties file written for the Java client, as most Kafka guides show them, also carries its serializers and
    /// the Schema Registry's settings. librdkafka only says they are unknown; each says what c360 takes instead, never
    /// the value.
    /// </summary>
    [Theory]
    [InlineData("schema.registry.url", "https://registry.example:8081", "SchemaRegistry:Url")]
    [InlineData("basic.auth.user.info", "api-key:secret-password", "SchemaRegistry:BasicAuthUserInfo")]
    [InlineData("value.serializer", "io.confluent.kafka.serializers.KafkaAvroSerializer", "encodes and decodes records itself")]
    public void A_setting_of_the_java_client_or_the_registry_is_refused_naming_what_c360_takes_instead(string key, string value, string instead)
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { [key] = value }));

        Assert.StartsWith($"Kafka:Properties:{key} is not a librdkafka setting: ", problem, StringComparison.Ordinal);
        Assert.Contains(instead, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(value, problem, StringComparison.Ordinal);
    }

    /// <summary>librdkafka knows the Java client's JAAS and truststore settings well enough to say what to use instead; its words reach the user.</summary>
    [Theory]
    [InlineData("sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"secret-password\";", "Java JAAS configuration is not supported")]
    [InlineData("ssl.truststore.location", "/etc/kafka/secret-truststore.jks", "use `ssl.ca.location`")]
    public void Librdkafkas_own_advice_on_a_java_client_setting_is_passed_on(string key, string value, string advice)
    {
        var problem = Assert.Single(KafkaPropertyCheck.Problems(new Dictionary<string, string> { [key] = value }));

        Assert.StartsWith($"Kafka:Properties:{key} has a value librdkafka does not accept", problem, StringComparison.Ordinal);
        Assert.Contains(advice, problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", problem, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> SaslPlain() => new(StringComparer.Ordinal)
    {
        ["security.protocol"] = "SASL_SSL",
        ["sasl.mechanism"] = "PLAIN",
        ["sasl.username"] = "api-key",
        ["sasl.password"] = "secret-password",
    };
}
