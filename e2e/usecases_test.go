//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestThreeUseCases runs the binary on the sample rules and flows, as the samples'
// README does, and walks the three use cases of DOMAIN.md the way an IVR lives them:
// events arrive, the IVR calls a flow with the caller's number, and the answer changes.
// The sample "sms" connector is pointed at a stand-in for Twilio.
func TestThreeUseCases(t *testing.T) {
	var mu sync.Mutex
	var texts []url.Values
	twilio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		texts = append(texts, r.PostForm)
		mu.Unlock()
		w.WriteHeader(201)
		io.WriteString(w, `{"sid":"SM00000000000000000000000000000000","status":"queued"}`)
	}))
	defer twilio.Close()

	dir := t.TempDir()
	cfg := filepath.Join(dir, "jds.yaml")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`
keys: [{name: k, organization: %s, secret: %s}]
rulesDir: ../samples/rules
flowsDir: ../samples/flows
connectors:
  - name: sms
    kind: twilio
    accountSid: AC0123456789abcdef0123456789abcdef
    authToken: test-token
    from: "+15550100000"
    baseURL: %s
  - name: callback
    kind: log
`, org, secret, twilio.URL)), 0o644)

	// What an admin runs before deploying: the files check and their tests pass.
	for _, args := range [][]string{{"check", "--config", cfg}, {"test", "../samples/flows", "../samples/rules"}} {
		out, err := exec.Command(binary, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("jds %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	s := startServer(t, filepath.Join(dir, "data"), cfg)
	ingest, flowTok := tok("ds", "w"), tok("flow", "rw")
	post := func(id, typ string, data map[string]any) {
		t.Helper()
		ev := map[string]any{"id": id, "specversion": "1.0", "type": typ, "source": "e2e", "identity": "12263762555",
			"identitytype": "phone", "data": data}
		if r := s.do(t, "POST", "/publish/v1/api/event?workspaceId="+workspace, ingest, ev); r.status != 202 {
			t.Fatalf("posting %s: %d %s", id, r.status, r.body)
		}
	}
	call := func(flow string, want string) {
		t.Helper()
		r := s.do(t, "POST", "/v1/flows/"+flow, flowTok, map[string]any{"ani": "+1 226 376 2555", "queue": "Billing"})
		if r.status != 200 || strings.TrimSpace(string(r.body)) != want {
			t.Fatalf("flow %s: %d %s, want %s", flow, r.status, r.body, want)
		}
	}

	// 1. The forgetful payer.
	call("payment-reminder", `{"route":"menu"}`)
	post("uc1-1", "Payment", map[string]any{"category": "Water", "status": "overdue", "Notification": "1", "Past Due Amount": "$544.73"})
	call("payment-reminder", `{"amount":"$544.73","route":"remind"}`)
	post("uc1-2", "Payment", map[string]any{"category": "Water", "status": "overdue", "Notification": "2", "Past Due Amount": "$560.10"})
	call("payment-reminder", `{"route":"agent"}`)
	post("uc1-3", "Payment", map[string]any{"category": "Water", "status": "paid"})
	call("payment-reminder", `{"route":"menu"}`)

	// 2. The repeat caller: the sixth call is offered a callback.
	for i := 1; i <= 5; i++ {
		call("repeat-caller", fmt.Sprintf(`{"callsToday":%d,"offerCallback":false}`, i-1))
		post(fmt.Sprintf("uc2-%d", i), "Queued Caller", map[string]any{"queue": "Billing"})
	}
	call("repeat-caller", `{"callsToday":5,"offerCallback":true}`)

	// 3. The late-night caller: the flow records the closed-queue call, the journey action
	// texts the caller once.
	call("after-hours", `{"route":"closed"}`)
	deadline := time.Now().Add(10 * time.Second)
	for {
		mu.Lock()
		n := len(texts)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(texts) != 1 || texts[0].Get("To") != "+12263762555" || !strings.Contains(texts[0].Get("Body"), "call you back") {
		t.Fatalf("texts sent: %v\n%s", texts, s.logs)
	}
}

type reply struct {
	status int
	body   []byte
}

func (s *server) do(t *testing.T, method, path, token string, body any) reply {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(raw))
	req.Header.Set("Authorization", token)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, b}
}
