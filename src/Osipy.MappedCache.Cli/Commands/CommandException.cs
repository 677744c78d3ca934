namespace Osipy.MappedCache.Cli.Commands;

/// <summary>A command could not do its job for a reason the user can act on; the message says what to do. Exit code 1.</summary>
internal sealed class CommandException(string message) : Exception(message);
