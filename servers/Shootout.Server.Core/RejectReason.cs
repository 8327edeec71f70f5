namespace Shootout.Server.Core;

/// <summary>Why the server closed or refused a connection itself; a label value of the rejected metric.</summary>
public enum RejectReason
{
    /// <summary>--max-connections reached.</summary>
    Limit,
    /// <summary>accept failed with EMFILE/ENFILE: out of file descriptors.</summary>
    FdLimit,
    /// <summary>--idle-timeout expired.</summary>
    IdleTimeout,
    /// <summary>the client stayed below --min-data-rate.</summary>
    MinDataRate,
    /// <summary>threads engine: the OS refused another thread (pid_max, threads-max, max_map_count, memory).</summary>
    ThreadLimit,
}

public static class RejectReasons
{
    public static IReadOnlyList<RejectReason> All { get; } = Enum.GetValues<RejectReason>();

    /// <summary>The metric label: limit, fd_limit, idle_timeout, min_data_rate, thread_limit.</summary>
    public static string Label(this RejectReason reason) => reason switch
    {
        RejectReason.Limit => "limit",
        RejectReason.FdLimit => "fd_limit",
        RejectReason.IdleTimeout => "idle_timeout",
        RejectReason.MinDataRate => "min_data_rate",
        RejectReason.ThreadLimit => "thread_limit",
        _ => throw new ArgumentOutOfRangeException(nameof(reason)),
    };
}
