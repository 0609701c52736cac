using System.Collections.Immutable;
using Customer360.Streaming.Domain.Context;

namespace Customer360.Streaming.Domain.State;

/// <summary>
/// The channel views of a context in the compact encoding: web, app, location and in-store presence, each written
/// field by field in declaration order and read back the same way (see <see cref="ContextState"/> for the format).
/// </summary>
public static partial class ContextState
{
    private static void WriteWeb(CompactWriter writer, WebView web)
    {
        writer.String(web.SessionId);
        writer.Time(web.SessionStartedMs);
        writer.Time(web.LastActivityMs);
        writer.Int(web.PagesInSession);
        writer.String(web.LastPageUrl);
        writer.Count(web.RecentViews.Count);
        foreach (var viewed in web.RecentViews)
        {
            writer.String(viewed.Category);
            writer.Time(viewed.AtMs);
        }

        writer.Count(web.CartQuantities.Count);
        foreach (var (product, quantity) in web.CartQuantities)
        {
            writer.String(product);
            writer.Int(quantity);
        }

        writer.Decimal(web.CartValue);
        writer.Time(web.CartUpdatedMs);
        writer.String(web.LastSearch);
        writer.Time(web.LastSearchMs);
    }

    private static WebView ReadWeb(ref CompactReader reader)
    {
        var sessionId = reader.String();
        var sessionStarted = reader.Time();
        var lastActivity = reader.Time();
        var pages = reader.Int32();
        var lastPage = reader.String();
        var views = ImmutableList.CreateBuilder<Viewed>();
        for (var count = reader.Count(); count > 0; count--)
        {
            views.Add(new Viewed(reader.RequiredString(), reader.Time()));
        }

        var cart = ImmutableSortedDictionary.CreateBuilder<string, int>(StringComparer.Ordinal);
        for (var count = reader.Count(); count > 0; count--)
        {
            cart[reader.RequiredString()] = reader.Int32();
        }

        return new WebView
        {
            SessionId = sessionId,
            SessionStartedMs = sessionStarted,
            LastActivityMs = lastActivity,
            PagesInSession = pages,
            LastPageUrl = lastPage,
            RecentViews = views.ToImmutable(),
            CartQuantities = cart.ToImmutable(),
            CartValue = reader.Decimal(),
            CartUpdatedMs = reader.Time(),
            LastSearch = reader.String(),
            LastSearchMs = reader.Time(),
        };
    }

    private static void WriteApp(CompactWriter writer, AppView app)
    {
        writer.Bool(app.Foreground);
        writer.Time(app.StateChangedMs);
        writer.String(app.LastScreen);
        writer.Time(app.LastScreenMs);
        writer.Time(app.LastOpenMs);
        writer.Int(app.PushOpened);
        writer.Int(app.PushDismissed);
    }

    private static AppView ReadApp(ref CompactReader reader) => new()
    {
        Foreground = reader.Bool(),
        StateChangedMs = reader.Time(),
        LastScreen = reader.String(),
        LastScreenMs = reader.Time(),
        LastOpenMs = reader.Time(),
        PushOpened = reader.Int32(),
        PushDismissed = reader.Int32(),
    };

    private static void WriteLocation(CompactWriter writer, LocationView location)
    {
        writer.Time(location.FixTimeMs);
        writer.Double(location.AccuracyMeters);
        writer.Int((long)location.State);
        writer.String(location.NearestStoreId);
        writer.Bool(location.DistanceMeters.HasValue);
        if (location.DistanceMeters is { } distance)
        {
            writer.Double(distance);
        }

        writer.Time(location.StateSinceMs);
    }

    private static LocationView ReadLocation(ref CompactReader reader) => new()
    {
        FixTimeMs = reader.Time(),
        AccuracyMeters = reader.Double(),
        State = reader.Int() is var state && Enum.IsDefined((PresenceState)state) ? (PresenceState)state : throw new InvalidDataException("A stored context's presence state is unknown."),
        NearestStoreId = reader.String(),
        DistanceMeters = reader.Bool() ? reader.Double() : null,
        StateSinceMs = reader.Time(),
    };

    private static void WriteInStore(CompactWriter writer, InStoreView inStore)
    {
        writer.String(inStore.StoreId);
        writer.String(inStore.ZoneId);
        writer.Time(inStore.EnteredStoreMs);
        writer.Time(inStore.ZoneEnteredMs);
        writer.Time(inStore.LastSightingMs);
        writer.String(inStore.PendingZoneId);
        writer.Time(inStore.PendingSinceMs);
        WriteStrings(writer, inStore.ZonesVisited);
        writer.Count(inStore.DwellMs.Count);
        foreach (var (zone, dwell) in inStore.DwellMs)
        {
            writer.String(zone);
            writer.Int(dwell);
        }
    }

    private static InStoreView ReadInStore(ref CompactReader reader)
    {
        var storeId = reader.String();
        var zoneId = reader.String();
        var entered = reader.Time();
        var zoneEntered = reader.Time();
        var lastSighting = reader.Time();
        var pendingZone = reader.String();
        var pendingSince = reader.Time();
        var visited = ReadStrings(ref reader);
        var dwell = ImmutableSortedDictionary.CreateBuilder<string, long>(StringComparer.Ordinal);
        for (var count = reader.Count(); count > 0; count--)
        {
            dwell[reader.RequiredString()] = reader.Int();
        }

        return new InStoreView
        {
            StoreId = storeId,
            ZoneId = zoneId,
            EnteredStoreMs = entered,
            ZoneEnteredMs = zoneEntered,
            LastSightingMs = lastSighting,
            PendingZoneId = pendingZone,
            PendingSinceMs = pendingSince,
            ZonesVisited = visited,
            DwellMs = dwell.ToImmutable(),
        };
    }
}
