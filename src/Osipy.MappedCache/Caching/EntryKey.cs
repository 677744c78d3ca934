namespace Osipy.MappedCache.Caching;

/// <summary>Identifies an entry: result type and key, compared ordinally.</summary>
internal readonly record struct EntryKey(string ResultType, string Key);
