package io.nerva.processor.reading;

import io.nerva.format.SafeTensorsHeader;
import io.nerva.format.WeightFileException;
import io.nerva.processor.model.WeightsResource;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import javax.annotation.processing.Filer;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.StandardLocation;

/**
 * Reads the header of a network's embedded weight resource through the Filer, from where the
 * build puts resources: the class output (Maven copies src/main/resources there before
 * compiling), the class path, or the source path.
 */
public final class WeightsResourceReader {

    private static final List<JavaFileManager.Location> LOCATIONS =
            List.of(StandardLocation.CLASS_OUTPUT, StandardLocation.CLASS_PATH, StandardLocation.SOURCE_PATH);

    private final Filer filer;

    public WeightsResourceReader(Filer filer) {
        this.filer = filer;
    }

    /** {@code name} is relative to {@code packageName} unless it starts with {@code /}, as Class.getResource. */
    public WeightsResource read(String packageName, String name) {
        String pkg = name.startsWith("/") ? "" : packageName;
        String relative = name.startsWith("/") ? name.substring(1) : name;
        String path = (pkg.isEmpty() ? "" : pkg.replace('.', '/') + "/") + relative;
        for (JavaFileManager.Location location : LOCATIONS) {
            byte[] bytes;
            try {
                FileObject file = filer.getResource(location, pkg, relative);
                try (InputStream in = file.openInputStream()) {
                    bytes = in.readAllBytes();
                }
            } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
                continue; // not in this location (or the location is unsupported here)
            }
            try {
                return new WeightsResource.Found(path, SafeTensorsHeader.parse(bytes, path));
            } catch (WeightFileException e) {
                return new WeightsResource.Unreadable(path, e.getMessage());
            }
        }
        return new WeightsResource.NotFound(path);
    }
}
