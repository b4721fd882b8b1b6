// Loads the page's WebAssembly, as Linli's ui/boot.js does.
import init from "/pkg/linli_blank_ui.js";

init({ module_or_path: "/pkg/linli_blank_ui_bg.wasm" });
