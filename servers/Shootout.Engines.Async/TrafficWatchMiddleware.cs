using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Shootout.Server.Core;

namespace Shootout.Engines.Async;

/// <summary>
/// Connection middleware for --idle-timeout and --min-data-rate: it watches what the application
/// consumes from the transport, and a timer closes connections that break the rules. Installed
/// only when one of the options is set, so the idle benchmark pays nothing for it.
/// </summary>
internal sealed class TrafficWatchMiddleware : IDisposable
{
    private static readonly TimeSpan ScanInterval = TimeSpan.FromMilliseconds(250);
    private readonly ConnectionDelegate _next;
    private readonly EngineContext _context;
    private readonly SlotTable<WatchedConnection> _watched = new();
    private readonly Timer _timer;

    public TrafficWatchMiddleware(ConnectionDelegate next, EngineContext context)
    {
        _next = next;
        _context = context;
        _timer = new Timer(_ => Scan(), null, ScanInterval, ScanInterval);
    }

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        var watched = new WatchedConnection(connection, new TrafficWatch(_context.Options, Environment.TickCount64));
        var transport = connection.Transport;
        connection.Transport = new DuplexPipe(new WatchedReader(transport.Input, watched), transport.Output);
        int slot = _watched.Add(watched);
        try
        {
            await _next(connection);
        }
        finally
        {
            _watched.Remove(slot);
            connection.Transport = transport;
        }
    }

    private void Scan()
    {
        long now = Environment.TickCount64;
        foreach (var watched in _watched.Snapshot())
        {
            if (watched?.Check(now) is { } reason)
            {
                _context.Stats.OnRejected(reason);
                watched.Connection.Abort(new ConnectionAbortedException($"closed by the server: {reason.Label()}"));
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private sealed class WatchedConnection(ConnectionContext connection, TrafficWatch watch)
    {
        private readonly Lock _lock = new();
        private TrafficWatch _watch = watch;
        private bool _closed;

        public ConnectionContext Connection { get; } = connection;

        public void OnReceived(long bytes)
        {
            lock (_lock)
                _watch.OnReceived((int)Math.Min(bytes, int.MaxValue), Environment.TickCount64);
        }

        /// <summary>The reason to close, once; null while the connection keeps the rules.</summary>
        public RejectReason? Check(long now)
        {
            lock (_lock)
            {
                if (_closed || _watch.Check(now) is not { } reason)
                    return null;
                _closed = true;
                return reason;
            }
        }
    }

    /// <summary>Counts the bytes the application consumes; everything else goes straight through.</summary>
    private sealed class WatchedReader(PipeReader inner, WatchedConnection watched) : PipeReader
    {
        private ReadOnlySequence<byte> _last;

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            var result = await inner.ReadAsync(cancellationToken);
            _last = result.Buffer;
            return result;
        }

        public override bool TryRead(out ReadResult result)
        {
            if (!inner.TryRead(out result))
                return false;
            _last = result.Buffer;
            return true;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            long bytes = _last.Slice(_last.Start, consumed).Length;
            if (bytes > 0)
                watched.OnReceived(bytes);
            _last = default;
            inner.AdvanceTo(consumed, examined);
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;
        public PipeWriter Output { get; } = output;
    }
}
