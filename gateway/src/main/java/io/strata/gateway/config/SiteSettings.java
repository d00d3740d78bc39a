package io.strata.gateway.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who this gateway is among Strata sites that replicate to each other.
 *
 * @param name   the site's name ({@code site.name}, {@code STRATA_SITE_NAME}): recorded in every version as
 *               its origin and in the set of sites that applied it, so a replica is never sent back to
 *               where it was made. 1-64 of a-z, 0-9 and '-'. Empty: this data directory's site id
 *               ({@code DATA_DIR/site-id}, {@code site-} and 16 random hex digits, made on first start
 *               and kept, the id snapshot repositories know the site by), so it is stable across restarts
 * @param number the site's number ({@code site.number}, {@code STRATA_SITE_NUMBER}), 0..1023, default 0:
 *               the low bits of every version order written here, so that sites agree on a key's current
 *               version (the greatest clock time, then site number). Sites replicating to each other need
 *               different numbers; a replica whose order collides with another version is refused
 */
public record SiteSettings(Optional<String> name, int number) {
    public static final int DEFAULT_NUMBER = 0;
    public static final int MAX_NUMBER = 1023;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    public SiteSettings {
        if (name.isPresent() && !NAME.matcher(name.get()).matches()) {
            throw new StrataConfig.ConfigException("site.name", "must be 1-64 characters of a-z, 0-9 and -, starting with "
                    + "a letter or digit, got " + name.get());
        }
        if (number < 0 || number > MAX_NUMBER) {
            throw new StrataConfig.ConfigException("site.number", "must be 0.." + MAX_NUMBER + ", got " + number);
        }
    }

    /** The configured name, else the site id kept in {@code dataDir} (made if there is none). */
    public String resolveName(Path dataDir) {
        if (name.isPresent()) return name.get();
        try {
            return SiteId.loadOrCreate(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or make this site's id in " + dataDir.resolve(SiteId.FILE), e);
        }
    }
}
