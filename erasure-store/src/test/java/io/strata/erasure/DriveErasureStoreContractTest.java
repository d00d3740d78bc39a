package io.strata.erasure;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;

class DriveErasureStoreContractTest extends ErasureStoreContract {
    @TempDir
    Path dir;

    @Override
    ErasureStore createStore() {
        List<Path> drives = new ArrayList<>();
        for (int i = 0; i < 6; i++) drives.add(dir.resolve("drive" + i));
        return ErasureStore.open(new ErasureConfig(drives, 4, 2, 4096));
    }
}
