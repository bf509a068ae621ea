package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/magpie-sns/magpie/auth"
	"github.com/magpie-sns/magpie/service"
	"github.com/magpie-sns/magpie/synth"
)

// bulkSeed loads the synthetic data set spec through the service, with a
// progress bar on a terminal and a line every tenth of each phase
// otherwise.
func bulkSeed(ctx context.Context, spec *synth.Spec, password, dbURL string, stdout, stderr io.Writer) (err error) {
	db, err := openMigrated(ctx, dbURL)
	if err != nil {
		return err
	}
	defer closeDB(db, &err)
	svc := service.New(service.Config{Store: db, Passwords: auth.NewPasswords(auth.DefaultParams)})
	began := time.Now()
	progress := newLoadProgress(stderr)
	if err := svc.Load(ctx, spec, password, progress.report); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	progress.finish()
	fmt.Fprintf(stdout, "loaded %d users (user1…user%d, password %s), %d posts each and about %d follows each in %s\n",
		spec.Users, spec.Users, password, spec.PostsPerUser, spec.FollowsPerUser, time.Since(began).Round(time.Second))
	return nil
}

// loadProgress shows how a load goes.
type loadProgress struct {
	out     io.Writer
	bar     *progressbar.ProgressBar // on a terminal
	phase   string
	step    string // of the derived data
	began   time.Time
	printed int64 // tenths of the phase printed
}

func newLoadProgress(out io.Writer) *loadProgress {
	return &loadProgress{out: out}
}

func (p *loadProgress) report(s service.LoadStep) {
	if s.Phase != p.phase {
		p.finish()
		p.phase, p.step, p.began, p.printed = s.Phase, "", time.Now(), 0
		if f, ok := p.out.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			p.bar = newBar(p.out, s)
		}
	}
	if s.Step != "" && s.Step != p.step {
		p.step = s.Step
		if p.bar != nil {
			p.bar.Describe(s.Phase + ": " + s.Step)
		} else {
			fmt.Fprintf(p.out, "seed: %s: %s (%s)\n", s.Phase, s.Step, time.Since(p.began).Round(time.Second))
		}
	}
	if p.bar != nil {
		_ = p.bar.Set64(s.Done)
		return
	}
	if tenth := s.Done * 10 / max(s.Total, 1); tenth > p.printed || s.Done == s.Total {
		p.printed = tenth
		fmt.Fprintf(p.out, "seed: %s %d/%d (%s)\n", s.Phase, s.Done, s.Total, time.Since(p.began).Round(time.Second))
	}
}

// newBar is the bar of the phase s begins: users counted, with rate and
// ETA, or, for a phase of steps that cannot be counted (the derived
// data), a spinner with the time it has taken.
func newBar(out io.Writer, s service.LoadStep) *progressbar.ProgressBar {
	opts := []progressbar.Option{progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(s.Phase),
		progressbar.OptionFullWidth()}
	if s.Total <= 1 {
		return progressbar.NewOptions64(-1, append(opts, progressbar.OptionSpinnerType(14),
			progressbar.OptionSetElapsedTime(true))...)
	}
	return progressbar.NewOptions64(s.Total, append(opts, progressbar.OptionShowCount(), progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("users"), progressbar.OptionSetPredictTime(true))...)
}

// finish ends the bar of the phase, if any.
func (p *loadProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
		fmt.Fprintln(p.out)
		p.bar = nil
	}
}
