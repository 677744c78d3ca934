using Osipy.MappedCache.Peers;

// Driven by compare_peers.py; each command prints one JSON object on stdout.
//   put DIR NPY KEY REPEATS [--compress]   time RandomAccess.Write of the bytes and Put (PERSISTENT), REPEATS times each
//   get DIR KEY [--compress]               open a session, get the entry, sum every element (run in a new process)
return args.Length switch
{
    >= 4 when args[0] == "put" => Commands.Put(args[1], args[2], args[3], int.Parse(args[4]), args.Contains("--compress")),
    >= 3 when args[0] == "get" => Commands.Get(args[1], args[2], args.Contains("--compress")),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: put DIR NPY KEY REPEATS [--compress] | get DIR KEY [--compress]");
    return 2;
}
