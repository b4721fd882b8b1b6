//! What the desktop says about how the person wants to read, for the core's settings.

/// The text size factor the desktop asks for (GNOME's `text-scaling-factor`, 1.0 normal), if
/// it says: read in-process from GSettings, as GTK reads its own settings, rather than by
/// running `gsettings` during start-up. `None` where the schema is not installed (other
/// desktops) and on other systems until they are taught; the core keeps only sensible sizes.
#[cfg(target_os = "linux")]
pub fn text_scale() -> Option<f32> {
    text_scale_in(None)
}

/// See the Linux version.
#[cfg(not(target_os = "linux"))]
pub fn text_scale() -> Option<f32> {
    None
}

/// The factor as `backend` stores it (`None`: the desktop's own settings, dconf on GNOME).
#[cfg(target_os = "linux")]
fn text_scale_in(backend: Option<&gio::SettingsBackend>) -> Option<f32> {
    use gio::prelude::*;
    // GIO aborts the process on a schema that is not installed, on a relocatable one opened
    // without a path, and on reading a key as the wrong type: look at all three first.
    let schema = gio::SettingsSchemaSource::default()?.lookup(SCHEMA, true)?;
    if schema.path().is_none()
        || !schema.has_key(KEY)
        || schema.key(KEY).value_type() != *gio::glib::VariantTy::DOUBLE
    {
        return None;
    }
    let settings = gio::Settings::new_full(&schema, backend, None);
    Some(settings.double(KEY) as f32)
}

#[cfg(target_os = "linux")]
const SCHEMA: &str = "org.gnome.desktop.interface";
#[cfg(target_os = "linux")]
const KEY: &str = "text-scaling-factor";

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    fn schema_installed() -> bool {
        gio::SettingsSchemaSource::default()
            .and_then(|source| source.lookup(SCHEMA, true))
            .is_some()
    }

    #[test]
    fn the_desktop_text_size_is_read_from_its_settings() {
        // A keyfile backend stands in for dconf, so the person's own settings are not read.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("settings");
        std::fs::write(
            &file,
            "[org/gnome/desktop/interface]\ntext-scaling-factor=1.5\n",
        )
        .unwrap();
        let backend = gio::keyfile_settings_backend_new(file.to_str().unwrap(), "/", None);
        let read = text_scale_in(Some(&backend));
        if schema_installed() {
            assert_eq!(read, Some(1.5));
        } else {
            // A desktop without GNOME's schema says nothing rather than failing.
            assert_eq!(read, None);
        }
    }
}
