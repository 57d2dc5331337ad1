package com.apintake.backup.control;

import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM over a stream of any length, in independently authenticated chunks, so neither
 * writing nor reading a 50 GB dump holds more than one chunk in memory (the JDK's GCM decryption
 * buffers everything until the tag is checked, which is why one GCM message per file does not do).
 *
 * <p>Format (version 1), also implemented by scripts/BackupDecrypt.java for restores without the
 * application:
 *
 * <pre>
 * header  = "APIBAK01" (8 ASCII bytes) | chunk size (4 bytes, big endian) | nonce prefix (8 random bytes)
 * chunk i = AES-256-GCM(key, nonce = prefix | i as 4 bytes big endian, aad = header | final flag byte)
 *           of up to chunk-size plaintext bytes, followed by its 16-byte tag
 * </pre>
 *
 * The last chunk (possibly empty) carries final flag 1, every other 0: a truncated, reordered or
 * extended file fails authentication instead of restoring silently short.
 */
public final class StreamEncryption {

    public static final String KEY_VARIABLE = "BACKUP_ENCRYPTION_KEY";
    static final byte[] MAGIC = "APIBAK01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER_LENGTH = 20;
    static final int TAG_BYTES = 16;
    static final int DEFAULT_CHUNK = 1 << 20;

    private final SecretKeySpec key;
    private final int chunkSize;
    private final SecureRandom random = new SecureRandom();

    StreamEncryption(byte[] key, int chunkSize) {
        if (key.length != 32) {
            throw new IllegalArgumentException("an AES-256 key has 32 bytes, this one " + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
        this.chunkSize = chunkSize;
    }

    /**
     * The key from its base64 text (32 bytes; create one with {@code openssl rand -base64 32}). The
     * message never contains the value.
     */
    public static StreamEncryption fromBase64(String base64) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(KEY_VARIABLE + " is not valid base64");
        }
        if (key.length != 32) {
            throw new IllegalArgumentException(
                    KEY_VARIABLE + " must be 32 bytes in base64 (openssl rand -base64 32), not " + key.length);
        }
        return new StreamEncryption(key, DEFAULT_CHUNK);
    }

    public OutputStream encrypting(OutputStream target) throws IOException {
        byte[] header = ByteBuffer.allocate(HEADER_LENGTH)
                .put(MAGIC)
                .putInt(chunkSize)
                .put(randomBytes(8))
                .array();
        target.write(header);
        return new EncryptingStream(target, header);
    }

    public InputStream decrypting(InputStream source) throws IOException {
        byte[] header = source.readNBytes(HEADER_LENGTH);
        if (header.length < HEADER_LENGTH || !Arrays.equals(Arrays.copyOf(header, MAGIC.length), MAGIC)) {
            throw new IOException("not an ap-intake encrypted backup (no APIBAK01 header)");
        }
        int size = ByteBuffer.wrap(header, 8, 4).getInt();
        if (size <= 0 || size > (64 << 20)) {
            throw new IOException("implausible chunk size " + size);
        }
        return new DecryptingStream(source, header, size);
    }

    private byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        random.nextBytes(bytes);
        return bytes;
    }

    private Cipher cipher(int mode, byte[] header, long index, boolean last) throws IOException {
        if (index > 0xFFFF_FFFFL) {
            throw new IOException("stream too long for one nonce prefix");
        }
        byte[] nonce =
                ByteBuffer.allocate(12).put(header, 12, 8).putInt((int) index).array();
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
            cipher.updateAAD(header);
            cipher.updateAAD(new byte[] {(byte) (last ? 1 : 0)});
            return cipher;
        } catch (GeneralSecurityException e) {
            throw new IOException("AES-GCM is not available: " + e.getMessage(), e);
        }
    }

    private final class EncryptingStream extends FilterOutputStream {
        private final byte[] header;
        private final byte[] buffer = new byte[chunkSize];
        private int filled;
        private long index;
        private boolean closed;

        EncryptingStream(OutputStream target, byte[] header) {
            super(target);
            this.header = header;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                // A full buffer is written only once more data arrives: the last chunk must carry the final flag.
                if (filled == chunkSize) {
                    seal(false);
                }
                int n = Math.min(length, chunkSize - filled);
                System.arraycopy(bytes, offset, buffer, filled, n);
                filled += n;
                offset += n;
                length -= n;
            }
        }

        private void seal(boolean last) throws IOException {
            try {
                out.write(cipher(Cipher.ENCRYPT_MODE, header, index++, last).doFinal(buffer, 0, filled));
            } catch (GeneralSecurityException e) {
                throw new IOException("encryption failed: " + e.getMessage(), e);
            }
            filled = 0;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                seal(true);
                out.flush();
            } finally {
                out.close();
            }
        }
    }

    private final class DecryptingStream extends InputStream {
        private final InputStream source;
        private final byte[] header;
        private final int sealedSize;
        private byte[] plain = new byte[0];
        private int position;
        private long index;
        private boolean finished;
        private byte[] pending;

        DecryptingStream(InputStream source, byte[] header, int chunkSize) {
            this.source = source;
            this.header = header;
            this.sealedSize = chunkSize + TAG_BYTES;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] target, int offset, int length) throws IOException {
            while (position == plain.length) {
                if (finished) {
                    return -1;
                }
                nextChunk();
            }
            int n = Math.min(length, plain.length - position);
            System.arraycopy(plain, position, target, offset, n);
            position += n;
            return n;
        }

        private void nextChunk() throws IOException {
            byte[] sealed = pending != null ? pending : source.readNBytes(sealedSize);
            if (sealed.length < TAG_BYTES) {
                throw new EOFException("encrypted backup is truncated");
            }
            // A chunk is the last one when nothing follows it.
            pending = sealed.length == sealedSize ? source.readNBytes(sealedSize) : new byte[0];
            boolean last = pending.length == 0;
            if (last) {
                pending = null;
            }
            try {
                plain = cipher(Cipher.DECRYPT_MODE, header, index++, last).doFinal(sealed);
            } catch (GeneralSecurityException e) {
                throw new IOException("decryption failed: wrong key, or the file is damaged or truncated");
            }
            position = 0;
            finished = last;
        }

        @Override
        public void close() throws IOException {
            source.close();
        }
    }
}
