using Shootout.Engines.Async;
using Shootout.Engines.Epoll;
using Shootout.Engines.Threads;
using Shootout.Engines.Uring;
using Shootout.Server.Core;

namespace Shootout.Server;

/// <summary>The engines this executable can run, by their --engine name.</summary>
internal static class Engines
{
    public static readonly IReadOnlyDictionary<string, EngineFactory> ByName = new Dictionary<string, EngineFactory>
    {
        ["threads"] = context => new ThreadsEngine(context),
        ["async"] = context => new AsyncEngine(context),
        ["epoll"] = context => new EpollEngine(context),
        ["uring"] = context => new UringEngine(context),
    };
}
