using System.Globalization;
using Customer360.Streaming.Domain.Geo;
using Customer360.Streaming.Contracts;

namespace Customer360.Streaming.Pipeline;

/// <summary>Loads <c>topology/stores.yaml</c>: the stores and their geofences, validated as a whole.</summary>
public static class StoreCatalog
{
    public const string FileName = "stores.yaml";

    public static StoreDirectory Load(string path) =>
        Parse(YamlCatalog.Read(path, "Store catalog"), path);

    public static StoreDirectory Parse(string yaml, string sourceName)
    {
        var document = YamlCatalog.Parse<StoresDocument>(yaml, sourceName);

        var errors = new List<string>();
        var stores = new List<StoreLocation>();
        var entries = document?.Stores ?? [];
        if (entries.Count == 0)
        {
            errors.Add("declares no stores (expected a 'stores:' list)");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i];
            var where = string.Create(CultureInfo.InvariantCulture, $"stores[{i}]") + (string.IsNullOrWhiteSpace(e.Id) ? string.Empty : $" '{e.Id}'");
            if (string.IsNullOrWhiteSpace(e.Id))
            {
                errors.Add($"{where}: 'id' is required");
            }
            else if (!ids.Add(e.Id))
            {
                errors.Add($"{where}: 'id' is declared twice");
            }

            if (e.Latitude is not (>= -90 and <= 90))
            {
                errors.Add($"{where}: 'latitude' must be between -90 and 90");
            }

            if (e.Longitude is not (>= -180 and <= 180))
            {
                errors.Add($"{where}: 'longitude' must be between -180 and 180");
            }

            if (e.RadiusMeters is not (> 0 and <= 5_000))
            {
                errors.Add($"{where}: 'radiusMeters' must be above 0 and at most 5000");
            }

            if (e.NearRadiusMeters <= e.RadiusMeters || e.NearRadiusMeters > 50_000)
            {
                errors.Add($"{where}: 'nearRadiusMeters' must be above 'radiusMeters' and at most 50000");
            }

            stores.Add(new StoreLocation(e.Id ?? string.Empty, e.Name ?? e.Id ?? string.Empty, e.Latitude, e.Longitude, e.RadiusMeters, e.NearRadiusMeters));
        }

        YamlCatalog.ThrowIfInvalid(errors, sourceName);
        return new StoreDirectory(stores);
    }

    private sealed class StoresDocument
    {
        // "key: ~" in YAML sets a list to null; it reads as empty, which the validation reports.
        public List<StoreEntry> Stores { get; set => field = value ?? []; } = [];
    }

    private sealed class StoreEntry
    {
        public string? Id { get; set; }

        public string? Name { get; set; }

        public double Latitude { get; set; } = double.NaN;

        public double Longitude { get; set; } = double.NaN;

        public double RadiusMeters { get; set; }

        public double NearRadiusMeters { get; set; }
    }
}
