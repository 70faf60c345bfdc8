package queue

// postgresBackend returns the PostgreSQL backend when ERRAND_TEST_POSTGRES_URL is set and nil
// otherwise.
func postgresBackend() *backend {
	return nil // the PostgreSQL store driver does not exist yet
}
