using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Shootout.Engines.Uring;
using Shootout.Engines.Uring.Interop;
using Shootout.Fibers.Interop;

namespace Shootout.Uring.Tests;

/// <summary>The ring layer against the real kernel: SQEs in, CQEs out, buffers picked at completion.</summary>
public sealed unsafe class RingTests
{
    private const uint Flags = IoUring.SetupSingleIssuer | IoUring.SetupDeferTaskrun;

    [Fact]
    public void A_nop_comes_back_with_its_user_data()
    {
        using var ring = Ring.Create(8, 32, Flags);
        Sqe* sqe = ring.NextSqe();
        sqe->Opcode = IoUring.OpNop;
        sqe->UserData = 0xABCD_0000_1234;
        ring.Enter(1, 5000);
        Assert.True(ring.TryTakeCompletion(out Cqe cqe));
        Assert.Equal(0xABCD_0000_1234ul, cqe.UserData);
        Assert.Equal(0, cqe.Res);
        Assert.False(ring.TryTakeCompletion(out _));
    }

    [Fact]
    public void More_sqes_than_the_queue_holds_are_all_submitted()
    {
        using var ring = Ring.Create(4, 64, Flags);
        for (ulong i = 0; i < 20; i++)
        {
            Sqe* sqe = ring.NextSqe(); // a full queue is submitted to make room
            sqe->Opcode = IoUring.OpNop;
            sqe->UserData = i;
        }
        var seen = new HashSet<ulong>();
        for (int turn = 0; turn < 10 && seen.Count < 20; turn++)
        {
            ring.Enter(1, 1000);
            while (ring.TryTakeCompletion(out Cqe cqe))
                seen.Add(cqe.UserData);
        }
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ulong)i).ToHashSet(), seen);
    }

    [Fact]
    public void A_wait_with_a_timeout_returns_when_nothing_completes()
    {
        using var ring = Ring.Create(8, 32, Flags);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        int rc = ring.Enter(1, 50);
        Assert.Equal(-Errno.ETIME, rc);
        Assert.InRange(watch.ElapsedMilliseconds, 20, 5000);
    }

    [Fact]
    public void Only_the_target_number_of_buffers_is_published_and_the_last_returned_is_reused_first()
    {
        using var ring = Ring.Create(8, 32, Flags);
        BufferRing buffers = BufferRing.TryRegister(ring, 64, 4096, out int errno) ?? throw new InvalidOperationException($"provided buffers: errno {errno}");
        Assert.Equal(32, buffers.Target);
        (Socket client, Socket server) = Pair();
        using (client)
        using (server)
        {
            int fd = (int)server.SafeHandle.DangerousGetHandle();
            var ids = new List<ushort>();
            for (int round = 0; round < 3; round++)
            {
                Sqe* sqe = ring.NextSqe();
                sqe->Opcode = IoUring.OpRecv;
                sqe->Fd = fd;
                sqe->Flags = IoUring.SqeBufferSelect;
                sqe->BufGroup = BufferRing.GroupId;
                client.Send([1]);
                ring.Enter(1, 5000);
                Assert.True(ring.TryTakeCompletion(out Cqe cqe));
                Assert.Equal(1, cqe.Res);
                ushort id = (ushort)(cqe.Flags >> IoUring.CqeBufferShift);
                ids.Add(id);
                buffers.OnLent();
                buffers.Return(id);
                buffers.Refill();
            }
            // Published in order 0..31, so the first receive took 0; returned at once and republished
            // behind 1..31, it waits its turn, but no buffer past the target was ever touched.
            Assert.All(ids, id => Assert.InRange(id, (ushort)0, (ushort)32));
            buffers.OnExhausted();
            Assert.Equal(64, buffers.Target);
        }
    }

    [Fact]
    public void A_receive_takes_a_provided_buffer_only_when_data_arrives_and_returns_it()
    {
        using var ring = Ring.Create(8, 32, Flags);
        Assert.True(ring.RegisterRingFd());
        BufferRing buffers = BufferRing.TryRegister(ring, 4, 4096, out int errno) ?? throw new InvalidOperationException($"provided buffers: errno {errno}");
        (Socket client, Socket server) = Pair();
        using (client)
        using (server)
        {
            for (int round = 0; round < 6; round++) // more rounds than buffers: each one went back
            {
                QueueReceive(ring, server, ioPrio: 0, userData: 7);
                ring.Enter(0, 0);
                Assert.False(ring.TryTakeCompletion(out _)); // armed, waiting, and no buffer lent
                Assert.Equal(0, buffers.Lent);

                client.Send([(byte)'h', (byte)'i', (byte)round]);
                ring.Enter(1, 5000);
                Assert.True(ring.TryTakeCompletion(out Cqe cqe));
                Assert.Equal(3, cqe.Res);
                Assert.NotEqual(0u, cqe.Flags & IoUring.CqeBuffer);
                ushort id = (ushort)(cqe.Flags >> IoUring.CqeBufferShift);
                buffers.OnLent();
                Assert.Equal(new byte[] { (byte)'h', (byte)'i', (byte)round }, new ReadOnlySpan<byte>(buffers.Address(id), 3).ToArray());
                buffers.Return(id);
                buffers.Refill(); // what the loop does before each enter
            }
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_poll_first_receive_waits_for_data_and_takes_what_was_already_there(bool dataFirst)
    {
        using var ring = Ring.Create(8, 32, Flags);
        BufferRing buffers = BufferRing.TryRegister(ring, 4, 4096, out int errno) ?? throw new InvalidOperationException($"provided buffers: errno {errno}");
        (Socket client, Socket server) = Pair();
        using (client)
        using (server)
        {
            if (dataFirst)
                client.Send([1, 2]);
            QueueReceive(ring, server, IoUring.RecvSendPollFirst, userData: 9);
            if (!dataFirst)
            {
                ring.Enter(0, 0);
                Assert.False(ring.TryTakeCompletion(out _)); // armed on the poll, nothing taken
                client.Send([1, 2]);
            }
            ring.Enter(1, 5000);
            Assert.True(ring.TryTakeCompletion(out Cqe cqe));
            Assert.Equal(9ul, cqe.UserData);
            Assert.Equal(2, cqe.Res);
            ushort id = (ushort)(cqe.Flags >> IoUring.CqeBufferShift);
            Assert.Equal(new byte[] { 1, 2 }, new ReadOnlySpan<byte>(buffers.Address(id), 2).ToArray());
        }
    }

    [Fact]
    public void A_multishot_receive_posts_each_arrival_in_its_own_buffer_until_end_of_stream()
    {
        using var ring = Ring.Create(8, 32, Flags);
        BufferRing buffers = BufferRing.TryRegister(ring, 4, 4096, out int errno) ?? throw new InvalidOperationException($"provided buffers: errno {errno}");
        (Socket client, Socket server) = Pair();
        using (client)
        using (server)
        {
            QueueReceive(ring, server, IoUring.RecvMultishot, userData: 11);
            ring.Enter(0, 0);
            Assert.False(ring.TryTakeCompletion(out _)); // armed once, holding no buffer
            var ids = new HashSet<ushort>();
            for (byte round = 0; round < 3; round++) // one request, three arrivals
            {
                client.Send([round, round]);
                ring.Enter(1, 5000);
                Assert.True(ring.TryTakeCompletion(out Cqe cqe));
                Assert.Equal(11ul, cqe.UserData);
                Assert.Equal(2, cqe.Res);
                Assert.NotEqual(0u, cqe.Flags & IoUring.CqeMore); // still armed
                ushort id = (ushort)(cqe.Flags >> IoUring.CqeBufferShift);
                buffers.OnLent();
                Assert.Equal(new byte[] { round, round }, new ReadOnlySpan<byte>(buffers.Address(id), 2).ToArray());
                ids.Add(id); // held, as a connection holds it while its echo is pending
            }
            Assert.Equal(3, ids.Count);
            client.Shutdown(SocketShutdown.Send);
            ring.Enter(1, 5000);
            Assert.True(ring.TryTakeCompletion(out Cqe end));
            Assert.Equal(0, end.Res);
            Assert.Equal(0u, end.Flags & IoUring.CqeMore); // end of stream ends the request
        }
    }

    /// <summary>
    /// The kernel's side of skipping a send's CQE (UringLoop.SendConfirmations.cs): a MSG_DONTWAIT | MSG_WAITALL send
    /// with CQE_SKIP_SUCCESS, once the enter that submits it has returned, either posted its CQE in that enter (the count
    /// it sent when there was room for part, EAGAIN when there was none) or took every byte and is no longer in the ring
    /// (a cancel by its user_data finds nothing), so its buffer is free. Every byte that arrives is what was reported.
    /// </summary>
    [Fact]
    public void An_unconfirmed_send_is_done_with_its_buffer_or_has_posted_its_cqe_when_its_enter_returns()
    {
        using var ring = Ring.Create(8, 32, Flags);
        (Socket client, Socket server) = Pair();
        const int Large = 16 << 20, Small = 1000;
        byte* data = (byte*)NativeMemory.Alloc(Large);
        using (client)
        using (server)
        {
            try
            {
                for (int i = 0; i < Large; i++)
                    data[i] = (byte)(i * 7 % 251);
                client.ReceiveBufferSize = 64 << 10; // fixed sizes (no autotuning): the large send cannot all fit
                server.SendBufferSize = 64 << 10;

                Assert.Null(SendUnconfirmed(ring, server, data, Small, userData: 21)); // room for all: no CQE
                Assert.Equal(new ReadOnlySpan<byte>(data, Small).ToArray(), ReceiveExactly(client, Small));

                Cqe partial = SendUnconfirmed(ring, server, data, Large, userData: 22)
                    ?? throw new Xunit.Sdk.XunitException("a send that took part of its bytes posts its CQE in its own enter");
                Assert.InRange(partial.Res, 1, Large - 1);

                // The client reads nothing, so the socket fills: each small send takes all its bytes (no CQE) or part of
                // them (a CQE with the count), until one finds no room at all.
                var took = new List<int> { partial.Res };
                int res = 0;
                for (ulong userData = 23; res != -Errno.EAGAIN && took.Count < 10_000; userData++)
                {
                    res = SendUnconfirmed(ring, server, data, Small, userData)?.Res ?? Small;
                    Assert.True(res == -Errno.EAGAIN || res is > 0 and <= Small, $"send {userData}: {res}");
                    if (res > 0)
                        took.Add(res);
                }
                Assert.Equal(-Errno.EAGAIN, res);

                // What arrives is exactly what was reported: of each send, the bytes it took, from the start of its buffer.
                foreach (int count in took)
                    Assert.Equal(new ReadOnlySpan<byte>(data, count).ToArray(), ReceiveExactly(client, count));
                server.Shutdown(SocketShutdown.Send);
                Assert.Equal(0, client.Receive(new byte[1]));
            }
            finally
            {
                NativeMemory.Free(data);
            }
        }
    }

    [Fact]
    public void Each_ring_feature_can_be_switched_off_by_name_and_an_unknown_name_is_an_error()
    {
        RingFeatures all = RingFeatures.Parse(null);
        Assert.True(all.ReceivePollFirst && all.MultishotAccept && all.ProvidedBuffers && all.DeferTaskrun && all.RegisteredRingFd);
        Assert.True(all.MultishotReceive && all.SkipSendCompletions);
        Assert.False(RingFeatures.Parse("-send-cqe-skip").SkipSendCompletions);
        RingFeatures some = RingFeatures.Parse("-poll-first, -multishot-accept, -multishot-receive");
        Assert.False(some.ReceivePollFirst);
        Assert.False(some.MultishotAccept);
        Assert.False(some.MultishotReceive);
        Assert.True(some.ProvidedBuffers);
        var e = Assert.Throws<ArgumentException>(() => RingFeatures.Parse("-zero-copy"));
        Assert.Contains("poll-first", e.Message);
    }

    /// <summary>A receive on <paramref name="socket"/> into a buffer the kernel picks from the provided-buffer ring.</summary>
    private static void QueueReceive(Ring ring, Socket socket, ushort ioPrio, ulong userData)
    {
        Sqe* sqe = ring.NextSqe();
        sqe->Opcode = IoUring.OpRecv;
        sqe->Fd = (int)socket.SafeHandle.DangerousGetHandle();
        sqe->Flags = IoUring.SqeBufferSelect;
        sqe->BufGroup = BufferRing.GroupId;
        sqe->IoPrio = ioPrio;
        sqe->UserData = userData;
    }

    /// <summary>
    /// Submits a send as the loop queues an unconfirmed one (UringLoop.Submissions.cs) in an enter of its own: its CQE if
    /// that enter posted one, else null after checking that the send is no longer in the ring.
    /// </summary>
    private static Cqe? SendUnconfirmed(Ring ring, Socket socket, byte* data, int length, ulong userData)
    {
        Sqe* sqe = ring.NextSqe();
        sqe->Opcode = IoUring.OpSend;
        sqe->Fd = (int)socket.SafeHandle.DangerousGetHandle();
        sqe->Flags = IoUring.SqeCqeSkipSuccess;
        sqe->Addr = (ulong)data;
        sqe->Len = (uint)length;
        sqe->OpFlags = (uint)(Libc.MSG_NOSIGNAL | IoUring.MsgDontWait | IoUring.MsgWaitAll);
        sqe->UserData = userData;
        uint position = ring.LastSqePosition;
        ring.Enter(0, 0);
        Assert.True((int)(ring.IssuedUpTo - position) > 0, "the send was issued by its enter");
        if (ring.TryTakeCompletion(out Cqe cqe))
        {
            Assert.Equal(userData, cqe.UserData);
            return cqe;
        }
        Sqe* cancel = ring.NextSqe();
        cancel->Opcode = IoUring.OpAsyncCancel;
        cancel->Addr = userData;
        cancel->Fd = -1;
        cancel->UserData = ulong.MaxValue;
        ring.Enter(1, 5000);
        Assert.True(ring.TryTakeCompletion(out Cqe cancelled));
        Assert.Equal(-Errno.ENOENT, cancelled.Res); // not waiting in the ring for room: it took every byte
        return null;
    }

    private static byte[] ReceiveExactly(Socket socket, int count)
    {
        var received = new byte[count];
        socket.ReceiveTimeout = 10_000;
        for (int at = 0; at < count;)
        {
            int n = socket.Receive(received, at, count - at, SocketFlags.None);
            if (n == 0)
                throw new InvalidOperationException($"end of stream after {at} of {count} bytes");
            at += n;
        }
        return received;
    }

    private static (Socket Client, Socket Server) Pair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        client.Connect(listener.LocalEndPoint!);
        return (client, listener.Accept());
    }
}
