package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/magpie-sns/magpie"
)

// maxBodyBytes bounds every request body; a post body is at most 100,000
// characters, which is at most 400 kB of UTF-8 and more once escaped.
const maxBodyBytes = 1 << 20

// input is a request body's fields, read from JSON, a URL-encoded form or a
// multipart form. Its getters collect field errors instead of failing at the
// first one, so a client sees every problem at once.
type input struct {
	fields map[string]any // string, json.Number, bool, nil, or nested JSON
	errs   magpie.FieldErrors
}

// readInput reads the body of r. An empty body is an empty input.
func readInput(w http.ResponseWriter, r *http.Request) (*input, error) {
	in := &input{fields: map[string]any{}, errs: magpie.FieldErrors{}}
	r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, errStatus(http.StatusRequestEntityTooLarge, "Request body is too large (limit %d bytes).", maxBodyBytes)
		}
		return nil, errStatus(http.StatusBadRequest, "Could not read the request body.")
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return in, nil
	}
	ctype := r.Header.Get("Content-Type")
	mediaType, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mediaType = ctype
	}
	switch mediaType {
	case "application/json":
		return in, in.readJSON(raw)
	case "application/x-www-form-urlencoded", "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(raw))
		if mediaType == "multipart/form-data" {
			if params["boundary"] == "" {
				return nil, errStatus(http.StatusBadRequest, "Multipart form parse error - Invalid boundary in multipart: None")
			}
			err = r.ParseMultipartForm(maxBodyBytes)
		} else {
			err = r.ParseForm()
		}
		if err != nil {
			return nil, errStatus(http.StatusBadRequest, "Form parse error - %v", err)
		}
		source := r.PostForm
		if r.MultipartForm != nil {
			source = r.MultipartForm.Value
		}
		for k, vs := range source {
			if len(vs) > 0 {
				in.fields[k] = vs[0]
			}
		}
		return in, nil
	default:
		return nil, errStatus(http.StatusUnsupportedMediaType, "Unsupported media type %q in request.", ctype)
	}
}

func (in *input) readJSON(raw []byte) error {
	// JSON is UTF-8 (RFC 8259); encoding/json would quietly turn bad bytes
	// into U+FFFD and store that, where a form's are refused.
	if !utf8.Valid(raw) {
		return errStatus(http.StatusBadRequest, "JSON parse error - the body is not valid UTF-8")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return errStatus(http.StatusBadRequest, "JSON parse error - %v", err)
	}
	if dec.More() {
		return errStatus(http.StatusBadRequest, "JSON parse error - unexpected data after the top-level value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		in.errs.Add("non_field_errors", fmt.Sprintf("Invalid data. Expected a dictionary, but got %s.", jsonTypeName(v)))
		return in.errs.Err()
	}
	in.fields = obj
	return nil
}

func jsonTypeName(v any) string {
	switch v.(type) {
	case []any:
		return "list"
	case string:
		return "str"
	case json.Number:
		return "number"
	case bool:
		return "bool"
	default:
		return "null"
	}
}

// check adds to the input's field errors those the service found in the
// values it was given, so that a client sees every problem at once, and
// returns them all, if any. A field the request got wrong (missing, null,
// of the wrong type) is reported as such, not also for its value.
func (in *input) check(found magpie.FieldErrors) error {
	for field, msgs := range found {
		if _, ok := in.errs[field]; !ok {
			in.errs[field] = msgs
		}
	}
	return in.errs.Err()
}

const (
	msgRequired = "This field is required."
	msgNull     = "This field may not be null."
)

// has reports whether the body names field at all.
func (in *input) has(field string) bool {
	_, ok := in.fields[field]
	return ok
}

// string returns a text field; ok is false if it is absent or invalid.
// Numbers are taken as their text, as the original service did.
func (in *input) string(field string, required bool) (s string, ok bool) {
	v, present := in.fields[field]
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case nil:
		if !present {
			if required {
				in.errs.Add(field, msgRequired)
			}
			return "", false
		}
		in.errs.Add(field, msgNull)
	default:
		in.errs.Add(field, "Not a valid string.")
	}
	return "", false
}

// int returns an integer field, from a JSON number or decimal text.
func (in *input) int(field string, required bool) (n int64, ok bool) {
	v, present := in.fields[field]
	var text string
	switch v := v.(type) {
	case json.Number:
		text = v.String()
	case string:
		text = strings.TrimSpace(v)
	case nil:
		if !present {
			if required {
				in.errs.Add(field, msgRequired)
			}
			return 0, false
		}
		in.errs.Add(field, msgNull)
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		in.errs.Add(field, "A valid integer is required.")
		return 0, false
	}
	return n, true
}

// bool returns a boolean field, from JSON true/false or the words HTML
// forms and the original service accept.
func (in *input) bool(field string) (b, ok bool) {
	v, present := in.fields[field]
	switch v := v.(type) {
	case bool:
		return v, true
	case json.Number:
		switch v.String() {
		case "1":
			return true, true
		case "0":
			return false, true
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true", "t", "yes", "y", "on", "1":
			return true, true
		case "false", "f", "no", "n", "off", "0":
			return false, true
		}
	case nil:
		if !present {
			return false, false
		}
		in.errs.Add(field, msgNull)
		return false, false
	}
	in.errs.Add(field, "Must be a valid boolean.")
	return false, false
}
