package io.filterscope.io;

import io.filterscope.ErrorKind;
import io.filterscope.FilterScopeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A folder that results are written into, checked once before any work starts so that a long run
 * does not fail at its end. It refuses file names that would overwrite one of the run's inputs (an
 * image rendered over the picture it came from) or land outside the folder. Instances are immutable.
 */
public final class OutputFolder {
    private final Path dir;
    private final List<Path> inputs;

    private OutputFolder(Path dir, List<Path> inputs) {
        this.dir = dir;
        this.inputs = inputs;
    }

    /**
     * Creates {@code dir} (and missing parents) if needed and checks that files can be written in it.
     * When that fails nothing is left behind: folders this call created are removed again.
     *
     * @param inputs the files the run reads; {@link #resolve} refuses to overwrite them
     * @throws FilterScopeException naming the folder when it cannot be created or written
     */
    public static OutputFolder prepare(Path dir, Collection<Path> inputs) {
        Path abs = dir.toAbsolutePath().normalize();
        if (Files.exists(abs) && !Files.isDirectory(abs)) {
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": is a file, not a folder; choose an output folder");
        }
        Deque<Path> created = new ArrayDeque<>();
        try {
            List<Path> missing = new ArrayList<>();
            for (Path p = abs; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
                missing.add(0, p);
            }
            for (Path p : missing) {
                Files.createDirectory(p);
                created.push(p);
            }
            // Files.isWritable answers from permission bits, which are wrong for root, read-only
            // mounts and ACLs alike; writing a file is the only reliable test.
            Path probe = abs.resolve(".filterscope-probe-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
            Files.newOutputStream(probe, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
            Files.delete(probe);
        } catch (IOException e) {
            while (!created.isEmpty()) {
                try {
                    Files.deleteIfExists(created.pop());
                } catch (IOException ignored) {
                    // Best effort; the failure to report is the first one.
                }
            }
            throw new FilterScopeException(ErrorKind.CANNOT_WRITE, dir + ": cannot create or write the output folder ("
                    + AtomicFiles.reason(e) + "); choose a writable output folder", e);
        }
        List<Path> in = new ArrayList<>();
        for (Path p : inputs) {
            in.add(p.toAbsolutePath().normalize());
        }
        return new OutputFolder(abs, List.copyOf(in));
    }

    /** The folder, absolute. */
    public Path dir() {
        return dir;
    }

    /**
     * The path of {@code fileName} in the folder. The name may contain sub-folders ("conv1/maps.png")
     * as long as it stays inside.
     *
     * @throws FilterScopeException when the name is empty, leaves the folder, or names one of the inputs
     */
    public Path resolve(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, dir + ": empty output file name; give a file name");
        }
        Path rel;
        try {
            rel = dir.getFileSystem().getPath(fileName);
        } catch (java.nio.file.InvalidPathException e) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "'" + fileName + "': not a valid file name; use letters, digits, '.', '_' and '-'");
        }
        Path target = dir.resolve(rel).normalize();
        if (rel.isAbsolute() || !target.startsWith(dir) || target.equals(dir)) {
            throw new FilterScopeException(ErrorKind.INVALID_ARGUMENT, "'" + fileName + "': would be written outside " + dir + "; give a plain file name");
        }
        for (Path input : inputs) {
            if (sameFile(target, input)) {
                throw new FilterScopeException(ErrorKind.CANNOT_WRITE, target + ": is one of the inputs and would be overwritten; choose another output folder");
            }
        }
        return target;
    }

    /**
     * Writes {@code bytes} to {@code fileName} in the folder atomically, creating sub-folders the
     * name contains.
     */
    public void write(String fileName, byte[] bytes) {
        Path target = resolve(fileName);
        Path parent = target.getParent();
        if (!parent.equals(dir)) {
            try {
                Files.createDirectories(parent);
                // A sub-folder that already exists may be a link out of the folder: follow it and look.
                if (!parent.toRealPath().startsWith(dir.toRealPath())) {
                    throw new FilterScopeException(ErrorKind.CANNOT_WRITE, "'" + fileName + "': its folder " + parent + " leads outside " + dir
                            + " through a link; choose another output folder");
                }
            } catch (IOException e) {
                throw new FilterScopeException(ErrorKind.CANNOT_WRITE, parent + ": cannot create the folder (" + AtomicFiles.reason(e)
                        + "); choose a writable output folder", e);
            }
        }
        AtomicFiles.write(target, bytes);
    }

    private static boolean sameFile(Path target, Path input) {
        if (target.equals(input)) {
            return true;
        }
        // Links and other spellings of the same file: compare what they really are. A target
        // that does not exist yet cannot be any existing input.
        try {
            return Files.exists(target) && Files.exists(input) && Files.isSameFile(target, input);
        } catch (IOException e) {
            // Unreadable paths cannot be compared; the plain comparison above stands.
        }
        return false;
    }

    @Override
    public String toString() {
        return "OutputFolder[" + dir + "]";
    }
}
