// Command composecheck validates deploy/compose.yaml without a Docker
// engine. It loads the file with compose-go, the loader of docker compose
// itself (schema, interpolation, normalization, consistency), checks the
// properties the stack relies on, and prints the resolved project.
//
// It is a module of its own so that the magpie module does not take the
// dependency. From deploy/composecheck:
//
//	go run . -env ../.env.example -set POSTGRES_PASSWORD=check ../compose.yaml
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "composecheck: %v\n", err)
		os.Exit(1)
	}
}

// setFlags collects -set KEY=VALUE.
type setFlags []string

func (s *setFlags) String() string { return strings.Join(*s, ",") }

func (s *setFlags) Set(v string) error {
	if !strings.Contains(v, "=") {
		return fmt.Errorf("%q: want KEY=VALUE", v)
	}
	*s = append(*s, v)
	return nil
}

func run(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("composecheck", flag.ContinueOnError)
	envFile := fs.String("env", "", "env file, as .env would be (required)")
	quiet := fs.Bool("q", false, "do not print the resolved project")
	var sets setFlags
	fs.Var(&sets, "set", "KEY=VALUE that wins over the env file, as the shell's environment would (repeatable)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *envFile == "" {
		return errors.New("usage: composecheck -env FILE [-set KEY=VALUE]… COMPOSE_FILE")
	}
	file := fs.Arg(0)
	ctx := context.Background()

	project, err := load(ctx, file, *envFile, sets)
	if err != nil {
		return err
	}
	var problems []string
	problems = append(problems, checkStack(project)...)
	undocumented, err := undocumentedVariables(file, *envFile)
	if err != nil {
		return err
	}
	for _, v := range undocumented {
		problems = append(problems, fmt.Sprintf("${%s} is used in %s but not listed in %s", v, file, *envFile))
	}
	// The database password has no default: without it, nothing may start.
	if _, err := load(ctx, file, *envFile, append(slices.Clone(sets), "POSTGRES_PASSWORD=")); err == nil ||
		!strings.Contains(err.Error(), "POSTGRES_PASSWORD") {
		problems = append(problems, fmt.Sprintf("loading without POSTGRES_PASSWORD should fail naming it; got error %v", err))
	}
	if len(problems) > 0 {
		return errors.New("\n  " + strings.Join(problems, "\n  "))
	}

	if !*quiet {
		out, err := project.MarshalYAML()
		if err != nil {
			return err
		}
		stdout.Write(out)
	}
	fmt.Fprintf(stdout, "composecheck: %s is valid (services: %s)\n", file, strings.Join(project.ServiceNames(), ", "))
	return nil
}

// load reads the compose file as `docker compose --env-file envFile config`
// would, with sets as the process environment.
func load(ctx context.Context, file, envFile string, sets []string) (*types.Project, error) {
	opts, err := cli.NewProjectOptions([]string{file},
		cli.WithEnv(sets),
		cli.WithEnvFiles(envFile),
		cli.WithDotEnv,
		cli.WithConsistency(true),
	)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

// checkStack checks what the deployment relies on beyond the schema.
func checkStack(p *types.Project) []string {
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	for _, name := range []string{"db", "migrate", "app", "lb"} {
		if _, err := p.GetService(name); err != nil {
			bad("service %s is missing", name)
		}
	}
	if len(problems) > 0 {
		return problems
	}
	app, _ := p.GetService("app")
	lb, _ := p.GetService("lb")
	migrate, _ := p.GetService("migrate")

	for name, s := range p.Services {
		if len(s.Ports) > 0 && name != "lb" {
			bad("service %s publishes ports; only lb may", name)
		}
	}
	if len(lb.Ports) != 1 {
		bad("lb should publish exactly one port, not %d", len(lb.Ports))
	}
	if app.Deploy == nil || app.Deploy.Replicas == nil || *app.Deploy.Replicas < 2 {
		bad("app should run at least 2 replicas")
	}
	if !slices.Equal(app.Command, types.ShellCommand{"serve", "--migrate=false"}) {
		bad("app should run serve --migrate=false, not %q", app.Command)
	}
	if !slices.Equal(migrate.Command, types.ShellCommand{"migrate"}) || migrate.Restart != "no" {
		bad("migrate should run migrate once (restart: \"no\")")
	}
	if d, ok := app.DependsOn["migrate"]; !ok || d.Condition != types.ServiceConditionCompletedSuccessfully {
		bad("app should wait for migrate to complete successfully")
	}
	if d, ok := lb.DependsOn["app"]; !ok || d.Condition != types.ServiceConditionHealthy {
		bad("lb should wait for app to be healthy")
	}
	if app.HealthCheck == nil || !slices.Equal(app.HealthCheck.Test, types.HealthCheckTest{"CMD", "/magpie", "healthcheck"}) {
		bad("app's health check should be magpie healthcheck")
	}
	if app.StopGracePeriod == nil || *app.StopGracePeriod < types.Duration(35e9) {
		bad("app's stop_grace_period should cover the 5 s drain and 30 s shutdown")
	}
	// magpie must trust exactly nginx's address.
	var lbAddr string
	for _, n := range lb.Networks {
		if n != nil && n.Ipv4Address != "" {
			lbAddr = n.Ipv4Address
		}
	}
	trusted := app.Environment["MAGPIE_TRUSTED_PROXIES"]
	if lbAddr == "" || trusted == nil || *trusted != lbAddr {
		bad("app's MAGPIE_TRUSTED_PROXIES (%v) should be lb's fixed address (%q)", deref(trusted), lbAddr)
	}
	for _, name := range []string{"app", "migrate"} {
		s, _ := p.GetService(name)
		u := s.Environment["MAGPIE_DATABASE_URL"]
		if u == nil || !strings.HasPrefix(*u, "postgres://") || !strings.Contains(*u, "@db:5432/") {
			bad("%s's MAGPIE_DATABASE_URL should point at the db service", name)
		}
	}
	return problems
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`)

// undocumentedVariables lists the variables interpolated in the compose
// file that the env file does not list as NAME=….
func undocumentedVariables(composeFile, envFile string) ([]string, error) {
	src, err := os.ReadFile(composeFile)
	if err != nil {
		return nil, err
	}
	listed := map[string]bool{}
	f, err := os.Open(envFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			listed[strings.TrimSpace(name)] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	var missing []string
	for _, m := range varRef.FindAllStringSubmatch(string(src), -1) {
		if !listed[m[1]] && !slices.Contains(missing, m[1]) {
			missing = append(missing, m[1])
		}
	}
	return missing, nil
}
