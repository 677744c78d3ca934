using Osipy.MappedCache.Files;
using Osipy.MappedCache.Mapping;

namespace Osipy.MappedCache.Caching;

/// <summary>The one order both disk budgets remove files in: by the key's slot in the directory's last-use table, oldest first.</summary>
internal static class LeastRecentlyUsed
{
    /// <summary><paramref name="files"/>, least recently used first (never used: first of all).</summary>
    public static IEnumerable<DiskFile> First(IEnumerable<DiskFile> files, LastUseTable lastUse) =>
        files.OrderBy(file => lastUse.Read(KeyLocation.OfSegmentPath(file.Path).LastUseSlot));
}
