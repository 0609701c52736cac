using Microsoft.Extensions.Logging;

namespace Customer360.Streaming.Pipeline;

/// <summary>Log messages of the pipeline. Customers and identifiers appear only as hashes.</summary>
internal static partial class Log
{
    /// <summary>Logs with a hash of <paramref name="id"/>, computed only when the level is enabled.</summary>
    public static void WithHash(ILogger logger, LogLevel level, string id, Action<ILogger, string> write)
    {
        if (logger.IsEnabled(level))
        {
            write(logger, CustomerHash.Of(id));
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Warning, Message = "Identifier {IdentifierHash} is linked to {Customers} customers (limit {Limit}): quarantined, its events stay anonymous")]
    public static partial void IdentifierQuarantined(ILogger logger, string identifierHash, int customers, int limit);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Identifier {IdentifierHash} is back within the link limit: released from quarantine")]
    public static partial void IdentifierReleased(ILogger logger, string identifierHash);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Information, Message = "Customer {CustomerHash} erased: context, links and Redis keys removed")]
    public static partial void CustomerErased(ILogger logger, string customerHash);

    [LoggerMessage(EventId = 3008, Level = LogLevel.Warning, Message = "Customer {CustomerHash} holds {Limit} identifiers, the most Context:MaxIdentifiersPerCustomer allows: further links to it are refused until an unlink makes room")]
    public static partial void CustomerIdentifiersFull(ILogger logger, string customerHash, int limit);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Information, Message = "Rules reloaded from {Path}: {Rules} rules in force (were {Previous}): {RuleVersions}")]
    public static partial void RulesReloaded(ILogger logger, string path, int rules, int previous, string ruleVersions);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Error, Message = "Rule file {Path} rejected, the {Rules} rules in force stay: {Reason}")]
    public static partial void RulesRejected(ILogger logger, string path, int rules, string reason);

    [LoggerMessage(EventId = 3011, Level = LogLevel.Warning, Message = "Rules changed without a new version, now in force: {Rules}. Decisions and trigger ids name a rule by id and version, so they cannot tell the old definition from the new; raise 'version' when a rule changes")]
    public static partial void RulesChangedUnderSameVersion(ILogger logger, string rules);
}
