using Osipy.MappedCache.TestChild;

// One scenario per invocation: the tests start this process, read its stdout and often kill it.
// Usage: <command> <cache dir> [arguments]; see Scenarios.
return args.Length < 2 ? Usage() : args[0] switch
{
    "put-loop" => Scenarios.PutLoop(args[1], int.Parse(args[2])),
    "create-hold" => Scenarios.CreateHold(args[1], int.Parse(args[2])),
    "hold-cached" => Scenarios.HoldCached(args[1], int.Parse(args[2]), int.Parse(args[3]), cachedDir: args.Length > 4 ? args[4] : null),
    "put-persistent" => Scenarios.PutPersistent(args[1], int.Parse(args[2]), int.Parse(args[3]), hold: args.Contains("--hold")),
    "sum" => Scenarios.Sum(args[1], args[2], args[3], prefault: args.Contains("--prefault"), waitBeforeSum: args.Contains("--wait")),
    "hammer" => Scenarios.Hammer(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4])),
    "permission-faults" => Scenarios.PermissionFaults(args[1]),
    "get-or-create" => Remote.GetOrCreate(args[1], args[2], redis: args.Length > 3 ? args[3] : null, prefix: args.Length > 4 ? args[4] : null, leaseMs: args.Length > 5 ? int.Parse(args[5]) : 1000),
    "remote-get" => Remote.Get(args[1], args[2], args[3], args[4]),
    "remote-put" => Remote.Put(args[1], args[2], int.Parse(args[3]), args[4], args[5]),
    "hold-lease" => Remote.HoldLease(args[1], args[2], args[3]),
    "node" => Node.Run(args[1], args[2], args[3], args[4..]),
    "soak" => Soak.Run(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5])),
    "budget-soak" => BudgetSoak.Run(args[1], int.Parse(args[2]), int.Parse(args[3]), int.Parse(args[4]), int.Parse(args[5])),
    "reclaim-loop" => Scenarios.ReclaimLoop(args[1], int.Parse(args[2])),
    "create-after-full-disk" => Scenarios.CreateAfterFullDisk(args[1], int.Parse(args[2])),
    "get-compressed" => RawCopyScenarios.GetCompressed(args[1], args[2], waitToStart: args.Contains("--wait-to-start"), blockInDecompression: args.Contains("--block-in-decompression")),
    "fill-blocks" => BlockFills.FillUntilKilled(args[1], args[2], int.Parse(args[3]), int.Parse(args[4]), redis: args.Length > 5 ? args[5] : null, prefix: args.Length > 6 ? args[6] : null),
    "memoize" => Memoization.Run(args[1], args[2], int.Parse(args[3]), redis: args.Length > 4 ? args[4] : null, prefix: args.Length > 5 ? args[5] : null),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: <node|put-loop|create-hold|hold-cached|put-persistent|sum|hammer|permission-faults|soak|get-or-create|remote-get|remote-put|hold-lease|reclaim-loop|create-after-full-disk|get-compressed|budget-soak|fill-blocks|memoize> <cache dir> [arguments]");
    return 2;
}
