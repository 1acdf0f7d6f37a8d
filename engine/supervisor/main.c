/* tt-engine: the supervisor. Everything is in engine/supervisor/engine.c. */
int tt_engine_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return tt_engine_main(argc, argv);
}
