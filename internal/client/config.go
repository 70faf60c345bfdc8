package client

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"go.yaml.in/yaml/v4"
)

// Config is the CLI's client configuration file (~/.config/errand/config.yaml):
//
//	server: https://errand.example:8080
//	api_key: <base64(id:secret)>
type Config struct {
	Server string `yaml:"server"`
	APIKey string `yaml:"api_key"`
}

// DefaultConfigPath is $ERRAND_CLIENT_CONFIG, else errand/config.yaml under the user's config
// directory ($XDG_CONFIG_HOME or ~/.config on Linux).
func DefaultConfigPath() string {
	if p := os.Getenv("ERRAND_CLIENT_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "errand", "config.yaml")
}

// LoadConfig reads the file at path; a missing file (or an empty path) is an empty Config.
func LoadConfig(path string) (Config, error) {
	var cfg Config
	if path == "" {
		return cfg, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, fmt.Errorf("reading client config %s: %w", path, err)
	}
	if err := yaml.Unmarshal(b, &cfg); err != nil {
		return cfg, fmt.Errorf("parsing client config %s: %w", path, err)
	}
	return cfg, nil
}
