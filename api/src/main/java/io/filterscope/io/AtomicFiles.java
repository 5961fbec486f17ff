package io.filterscope.io;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes files so that readers see either the old content or the whole new content, never a
 * half-written file: the bytes go to a hidden temporary file in the target's folder, which is then
 * renamed over the target. The rename is atomic where the file system allows it; elsewhere the
 * target is replaced in one move. Nothing is fsynced: a crash of the machine may lose the file, but
 * a failed or interrupted write never leaves a truncated one behind.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a file to a stream; the stream is closed by {@link AtomicFiles}. */
    @FunctionalInterface
    public interface IoWriter {
        /** Writes the whole content to {@code out}. */
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Replaces {@code target} with {@code bytes}.
     *
     * @throws FilterScopeException naming the target when it cannot be written
     */
    public static void write(Path target, byte[] bytes) {
        write(target, out -> out.write(bytes));
    }

    /**
     * Replaces {@code target} with what {@code writer} writes. When the writer fails, the target is
     * left as it was and the temporary file is removed.
     *
     * @throws FilterScopeException naming the target when it cannot be written; a
     *         {@link RuntimeException} thrown by the writer is passed on unchanged
     */
    public static void write(Path target, IoWriter writer) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        if (dir == null || absolute.getFileName() == null) {
            throw cannotWrite(target, "not a file path");
        }
        if (Files.isDirectory(absolute)) {
            throw cannotWrite(target, "it is a folder");
        }
        // Same folder as the target, so the rename never crosses file systems. The name is made
        // here rather than by Files.createTempFile, which would create the file with mode 0600
        // and the output would keep that instead of the usual permissions from the umask.
        Path temp = dir.resolve("." + absolute.getFileName() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        boolean moved = false;
        try {
            try (OutputStream out = new BufferedOutputStream(InFlight.create(temp), 1 << 16)) {
                writer.writeTo(out);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                // Some file systems cannot rename atomically, or refuse to rename over an
                // existing file; a plain replacing move is the best they offer.
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } catch (IOException e) {
            throw cannotWrite(target, reason(e), e);
        } finally {
            if (!moved) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The original failure is the one worth reporting.
                }
            }
            InFlight.remove(temp);
        }
    }

    /**
     * Temporary files being written right now, removed by a shutdown hook when the JVM exits
     * mid-write (Ctrl-C, SIGTERM, {@code System.exit}), so an interrupted run leaves no hidden
     * {@code .tmp} file behind. The target is untouched in that case: it is only ever renamed over.
     *
     * <p>Other threads go on running while shutdown hooks run, so a write may start while the hook
     * cleans up. Registering a temporary file and creating it therefore happen together under a
     * lock the hook takes too, and once the hook has run no temporary file is created any more:
     * every one that exists is one the hook saw. (Registered first and created after, as before, a
     * write starting mid-clean-up left its file behind: {@code InterruptedWriteTest}.)
     */
    private static final class InFlight {
        private static final java.util.Set<Path> TEMPS = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private static final java.util.concurrent.locks.ReentrantReadWriteLock LOCK = new java.util.concurrent.locks.ReentrantReadWriteLock();
        /** Set by the hook, under the write lock: the JVM is exiting. */
        private static boolean exiting;

        static {
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(InFlight::deleteAll, "filterscope-temp-cleanup"));
            } catch (IllegalStateException alreadyShuttingDown) {
                // Nothing can be added now; the finally blocks still clean up what they can.
            }
        }

        /** Registers and creates {@code temp}, unless the JVM is exiting. */
        static OutputStream create(Path temp) throws IOException {
            LOCK.readLock().lock();
            try {
                if (exiting) {
                    throw new IOException("the program is stopping");
                }
                TEMPS.add(temp);
                return Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } finally {
                LOCK.readLock().unlock();
            }
        }

        static void remove(Path temp) {
            TEMPS.remove(temp);
        }

        private static void deleteAll() {
            LOCK.writeLock().lock();
            try {
                exiting = true;
                for (Path p : TEMPS) {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException ignored) {
                        // Exiting: nothing better to do.
                    }
                }
            } finally {
                LOCK.writeLock().unlock();
            }
        }
    }

    private static FilterScopeException cannotWrite(Path target, String reason) {
        return new FilterScopeException(ErrorKind.CANNOT_WRITE, target + ": cannot write (" + reason + "); choose a writable output folder");
    }

    private static FilterScopeException cannotWrite(Path target, String reason, Throwable cause) {
        return new FilterScopeException(ErrorKind.CANNOT_WRITE, target + ": cannot write (" + reason + "); choose a writable output folder", cause);
    }

    /** A short reason for an I/O failure, without the path the message already names. */
    static String reason(IOException e) {
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "no such folder";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }
}
