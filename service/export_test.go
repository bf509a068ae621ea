package service

// SetLoadRowsPerTx makes Load's transactions small, so that a test can
// cut a small load off between two of them.
func SetLoadRowsPerTx(n int) (restore func()) {
	old := loadRowsPerTx
	loadRowsPerTx = n
	return func() { loadRowsPerTx = old }
}
