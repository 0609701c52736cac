namespace Customer360.Streaming.Domain.Geo;

/// <summary>A store and its geofences: inside within <see cref="RadiusMeters"/>, near within <see cref="NearRadiusMeters"/>.</summary>
public sealed record StoreLocation(string StoreId, string Name, double Latitude, double Longitude, double RadiusMeters, double NearRadiusMeters);

/// <summary>The stores of topology/stores.yaml, searchable by distance.</summary>
public sealed class StoreDirectory
{
    private const double EarthRadiusMeters = 6_371_008.8;
    private readonly IReadOnlyList<StoreLocation> _stores;

    public StoreDirectory(IEnumerable<StoreLocation> stores)
    {
        ArgumentNullException.ThrowIfNull(stores);
        _stores = [.. stores.OrderBy(s => s.StoreId, StringComparer.Ordinal)];
    }

    public IReadOnlyList<StoreLocation> Stores => _stores;

    /// <summary>The nearest store and its distance; ties go to the lower store id, so results are deterministic.</summary>
    public (StoreLocation Store, double DistanceMeters)? Nearest(double latitude, double longitude)
    {
        (StoreLocation, double)? best = null;
        foreach (var store in _stores)
        {
            var distance = DistanceMeters(latitude, longitude, store.Latitude, store.Longitude);
            if (best is null || distance < best.Value.Item2)
            {
                best = (store, distance);
            }
        }

        return best;
    }

    /// <summary>Great-circle (haversine) distance.</summary>
    public static double DistanceMeters(double lat1, double lon1, double lat2, double lon2)
    {
        static double Radians(double degrees) => degrees * Math.PI / 180;
        var dLat = Radians(lat2 - lat1);
        var dLon = Radians(lon2 - lon1);
        var a = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2))
            + (Math.Cos(Radians(lat1)) * Math.Cos(Radians(lat2)) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
