using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Engines.Uring;

/// <summary>The loop's connection table: adopting an accepted socket, handing a CQE to its connection, releasing it.</summary>
internal sealed unsafe partial class UringLoop
{
    private readonly SlotTable<UringConnection> _connections = new();

    /// <summary>Open connections on this loop, closed ones whose last request is still in flight included.</summary>
    internal int ConnectionCount => _connections.Count;

    private void Adopt(int fd)
    {
        if (_stopping || !_handler.Rules.TryAdmit())
        {
            Libc.Close(fd);
            return;
        }
        var connection = new UringConnection(this, fd);
        (connection.Slot, connection.Generation) = _connections.Add(connection);
        connection.LastActiveMs = NowMs;
        _handler.OnConnection(connection);
    }

    /// <summary>A receive, send or poll CQE: to its connection, if that is still the one in the slot the user_data names.</summary>
    private void DispatchToConnection(ulong kind, in Cqe cqe)
    {
        uint slot = (uint)(cqe.UserData >> 32) & 0xFF_FFFF;
        if (_connections[slot] is { } connection && connection.Generation == (uint)cqe.UserData)
        {
            if (kind == KindReceive)
                connection.OnReceiveCompleted(cqe.Res, cqe.Flags);
            else if (kind == KindMultishotReceive)
                connection.OnMultishotReceiveCompleted(cqe.Res, cqe.Flags);
            else if (kind is KindSend or KindUnconfirmedSend)
                connection.OnSendCompleted(cqe.Res);
            else
                connection.OnPollCompleted(cqe.Res);
        }
        else if ((cqe.Flags & IoUring.CqeBuffer) != 0)
        {
            Buffers!.OnLent(); // for a connection already gone: straight back
            Buffers.Return((ushort)(cqe.Flags >> IoUring.CqeBufferShift));
        }
    }

    /// <summary>The connection is closed and nothing of it is in flight: close its socket, free its slot.</summary>
    internal void Release(UringConnection connection)
    {
        _connections.Remove(connection.Slot, connection);
        if (_stopping)
        {
            Libc.Close(connection.Fd); // the ring may be gone before a queued close would run
        }
        else
        {
            Sqe* sqe = _ring!.NextSqe();
            sqe->Opcode = IoUring.OpClose;
            sqe->Fd = connection.Fd;
            sqe->Flags = IoUring.SqeCqeSkipSuccess;
            sqe->UserData = KindIgnore << KindShift;
        }
        _handler.Rules.OnClosed();
    }

    /// <summary>Visits every connection in the table (the table may change under <paramref name="visit"/>).</summary>
    private void ForEachConnection(Action<UringConnection> visit)
    {
        for (int slot = 0; slot < _connections.Used; slot++)
        {
            if (_connections[(uint)slot] is { } connection)
            {
                try { visit(connection); }
                catch (Exception e) { ReportError(e); }
            }
        }
    }
}
