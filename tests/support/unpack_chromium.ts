// Unpacks the headless Chromium that @sparticuz/chromium ships, into os.tmpdir(): run it as a
// child process with TMPDIR set to a fresh private directory (tests/support/chromium.ts does).
// The package only knows how to unpack into tmpdir() itself (its chromium binary, SwiftShader,
// fonts), and checks "already unpacked" by mere existence, which a second process unpacking at
// the same time, or an unpack killed halfway, would fool; a private TMPDIR, renamed into place
// by the caller once this exits 0, avoids both. It also unpacks the NSS and expat libraries the
// package ships for Amazon Linux 2023 (into <tmpdir>/al2023/lib): the binary links against them,
// and a fresh Debian does not have libnss3.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import chromium, { inflate } from "@sparticuz/chromium";

const bin = fileURLToPath(new URL("../../node_modules/@sparticuz/chromium/bin/", import.meta.url));
await chromium.executablePath(bin);
await inflate(join(bin, "al2023.tar.br"));
