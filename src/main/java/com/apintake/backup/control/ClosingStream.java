package com.apintake.backup.control;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * An output stream that writes through to another in whole blocks (FilterOutputStream alone writes byte
 * by byte) and, on its first close only, runs the given finish step instead of a plain close: forcing a
 * file to the disk, or closing the layers of an OpenPGP message in order.
 */
final class ClosingStream extends FilterOutputStream {

    /** What closing means for this stream; runs once. */
    @FunctionalInterface
    interface Finish {
        void run() throws IOException;
    }

    private final Finish finish;
    private boolean closed;

    private ClosingStream(OutputStream out, Finish finish) {
        super(out);
        this.finish = finish;
    }

    static OutputStream of(OutputStream out, Finish finish) {
        return new ClosingStream(out, finish);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        finish.run();
    }
}
