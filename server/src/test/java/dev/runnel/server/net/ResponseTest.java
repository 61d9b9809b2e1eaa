package dev.runnel.server.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseTest {

    @Test
    void sizePrefixIsBackPatchedFromAllChunksAndEmptyChunksAreDropped() {
        EmbeddedChannel channel = new EmbeddedChannel();
        Response.Builder builder = Response.builder(channel.alloc());
        builder.buffer().writeInt(42);
        builder.addBuffer(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        builder.addBuffer(Unpooled.buffer(0));
        builder.buffer().writeShort(7);
        Response response = builder.build();
        assertEquals(4 + 3 + 2, response.size());
        assertEquals(3, response.chunkCount());
        assertEquals(4 + 4 + 3 + 2, response.bufferedBytes());

        ChannelHandler tail = new ChannelDuplexHandler();
        channel.pipeline().addLast(tail);
        response.write(channel.pipeline().context(tail));
        channel.flushOutbound();
        ByteBuf all = Unpooled.buffer();
        for (Object chunk; (chunk = channel.readOutbound()) != null; ) {
            all.writeBytes((ByteBuf) chunk);
            ((ByteBuf) chunk).release();
        }
        assertEquals("00000009" + "0000002a" + "010203" + "0007", ByteBufUtil.hexDump(all));
        all.release();
        assertFalse(channel.finish());
    }

    @Test
    void fileRegionsCountInTheSizeButHoldNoMemoryAndReleaseTheirLeaseNotTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("00000000000000000000.log");
        Files.write(file, new byte[100]);
        AtomicInteger leasesReleased = new AtomicInteger();
        try (FileChannel segment = FileChannel.open(file, StandardOpenOption.READ)) {
            EmbeddedChannel channel = new EmbeddedChannel();
            Response.Builder builder = Response.builder(channel.alloc());
            builder.buffer().writeInt(1);
            builder.addRegion(new LeasedFileRegion(segment, 10, 60, leasesReleased::incrementAndGet));
            builder.addRegion(new LeasedFileRegion(segment, 0, 0, leasesReleased::incrementAndGet));
            builder.buffer().writeByte(0);
            Response response = builder.build();
            assertEquals(4 + 60 + 1, response.size());
            assertEquals(4 + 4 + 1, response.bufferedBytes());
            assertEquals(1, leasesReleased.get(), "the empty region was dropped at build time");

            ChannelHandler tail = new ChannelDuplexHandler();
            channel.pipeline().addLast(tail);
            response.write(channel.pipeline().context(tail));
            channel.flushOutbound();
            List<Object> chunks = new ArrayList<>();
            for (Object chunk; (chunk = channel.readOutbound()) != null; ) {
                chunks.add(chunk);
            }
            assertEquals(3, chunks.size());
            FileRegion region = assertInstanceOf(FileRegion.class, chunks.get(1));
            assertEquals(60, region.count());
            chunks.forEach(io.netty.util.ReferenceCountUtil::release);
            assertEquals(2, leasesReleased.get());
            assertTrue(segment.isOpen(), "the shared segment channel stays open");
            assertFalse(channel.finish());
        }
    }

    @Test
    void releasingAnUnsentResponseOrAnAbandonedBuilderFreesEverything() {
        AtomicInteger leasesReleased = new AtomicInteger();
        Response.Builder abandoned = Response.builder(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        abandoned.buffer().writeLong(1);
        abandoned.addBuffer(Unpooled.directBuffer(8).writeLong(2));
        abandoned.release();

        Response.Builder builder = Response.builder(io.netty.buffer.PooledByteBufAllocator.DEFAULT);
        builder.addBuffer(Unpooled.directBuffer(8).writeLong(2));
        Response unsent = builder.build();
        unsent.release();
        assertEquals(0, leasesReleased.get());
    }

    @Test
    void responseLargerThanAnInt32FrameIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("big.log");
        Files.write(file, new byte[1]);
        AtomicInteger leasesReleased = new AtomicInteger();
        try (FileChannel segment = FileChannel.open(file, StandardOpenOption.READ)) {
            Response.Builder builder = Response.builder(io.netty.buffer.UnpooledByteBufAllocator.DEFAULT);
            // DefaultFileRegion does not check the file length until it transfers, so a huge count is accepted here.
            builder.addRegion(new LeasedFileRegion(segment, 0, Integer.MAX_VALUE, leasesReleased::incrementAndGet));
            builder.buffer().writeByte(0);
            assertThrows(IllegalStateException.class, builder::build);
            assertEquals(1, leasesReleased.get());
        }
    }
}
