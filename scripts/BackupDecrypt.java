// Decrypts an ap-intake backup (*.dump.enc) without the application, for a restore by hand.
// Needs only a Java 17 runtime:
//   BACKUP_ENCRYPTION_KEY=... java scripts/BackupDecrypt.java in.dump.enc out.dump
//   BACKUP_ENCRYPTION_KEY=... java scripts/BackupDecrypt.java in.dump.enc - | pg_restore -d target
// Format (see com.apintake.backup.control.StreamEncryption): header "APIBAK01" | chunk size (int32 BE)
// | nonce prefix (8 bytes); then chunks of AES-256-GCM(key, nonce = prefix | chunk index int32 BE,
// aad = header | final flag), each followed by its 16-byte tag; the last chunk has final flag 1.
// Exits non-zero, having written possibly part of the output, when the key is wrong or the file damaged.
import java.io.*;
import java.nio.ByteBuffer;
import java.nio.file.*;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

public class BackupDecrypt {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: BACKUP_ENCRYPTION_KEY=<base64> java BackupDecrypt.java <in.dump.enc> <out.dump | ->");
            System.exit(2);
        }
        String encoded = System.getenv("BACKUP_ENCRYPTION_KEY");
        if (encoded == null || encoded.isBlank()) {
            System.err.println("BACKUP_ENCRYPTION_KEY is not set");
            System.exit(2);
        }
        byte[] key = Base64.getDecoder().decode(encoded.trim());
        if (key.length != 32) {
            System.err.println("BACKUP_ENCRYPTION_KEY must be 32 bytes in base64, not " + key.length);
            System.exit(2);
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(Path.of(args[0])), 1 << 20);
                OutputStream out = args[1].equals("-")
                        ? new BufferedOutputStream(System.out, 1 << 20)
                        : new BufferedOutputStream(Files.newOutputStream(Path.of(args[1]), StandardOpenOption.CREATE_NEW), 1 << 20)) {
            byte[] header = in.readNBytes(20);
            if (header.length < 20 || !new String(header, 0, 8, "US-ASCII").equals("APIBAK01")) {
                throw new IOException("not an ap-intake encrypted backup (no APIBAK01 header)");
            }
            int sealedSize = ByteBuffer.wrap(header, 8, 4).getInt() + 16;
            byte[] sealed = in.readNBytes(sealedSize);
            for (int index = 0; ; index++) {
                byte[] next = sealed.length == sealedSize ? in.readNBytes(sealedSize) : new byte[0];
                boolean last = next.length == 0;
                byte[] nonce = ByteBuffer.allocate(12).put(header, 12, 8).putInt(index).array();
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
                cipher.updateAAD(header);
                cipher.updateAAD(new byte[] {(byte) (last ? 1 : 0)});
                try {
                    out.write(cipher.doFinal(sealed));
                } catch (javax.crypto.AEADBadTagException e) {
                    throw new IOException("decryption failed at chunk " + index + ": wrong key, or the file is damaged or truncated");
                }
                if (last) {
                    break;
                }
                sealed = next;
            }
        } catch (IOException e) {
            System.err.println(e.getMessage());
            System.exit(1);
        }
    }
}
