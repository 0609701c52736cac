using Customer360.Streaming.Runtime.Processing;

namespace Customer360.Streaming.Runtime.Tests.Processing;

/// <summary>A task moves only along Kafka Streams' transitions; anything else is a bug and is refused.</summary>
public sealed class TaskStatesTests
{
    private static readonly (string, int) Task0 = ("contexts", 0);

    [Fact]
    public void A_task_lives_created_restoring_running_suspended_closed_and_can_be_assigned_again()
    {
        var states = new TaskStates();

        states.Create(Task0);
        states.Move(Task0, TaskState.Restoring);
        states.Move(Task0, TaskState.Running);
        states.Move(Task0, TaskState.Suspended);
        states.Move(Task0, TaskState.Restoring);
        states.Move(Task0, TaskState.Running);
        states.Move(Task0, TaskState.Suspended);
        states.Move(Task0, TaskState.Closed);

        Assert.Null(states.Of(Task0));
        states.Create(Task0);
        Assert.Equal(TaskState.Created, states.Of(Task0));
    }

    public static TheoryData<TaskState, TaskState> Illegal()
    {
        var data = new TheoryData<TaskState, TaskState>();
        foreach (var from in Enum.GetValues<TaskState>())
        {
            foreach (var to in Enum.GetValues<TaskState>())
            {
                if (!TaskStates.IsAllowed(from, to))
                {
                    data.Add(from, to);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Illegal))]
    public void An_illegal_transition_is_refused_naming_the_task_and_both_states(TaskState from, TaskState to)
    {
        var states = new TaskStates();
        states.Create(Task0);
        var path = from switch
        {
            TaskState.Created => [],
            TaskState.Restoring => [TaskState.Restoring],
            TaskState.Running => [TaskState.Restoring, TaskState.Running],
            TaskState.Suspended => [TaskState.Restoring, TaskState.Suspended],
            _ => new[] { TaskState.Suspended, TaskState.Closed },
        };
        foreach (var step in path)
        {
            states.Move(Task0, step);
        }

        var error = Assert.Throws<InvalidOperationException>(() => states.Move(Task0, to));

        Assert.Contains("contexts/0", error.Message, StringComparison.Ordinal);
        Assert.Contains(to.ToString(), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_legal_transitions_are_exactly_kafka_streams_ones()
    {
        var legal = Enum.GetValues<TaskState>().SelectMany(from => Enum.GetValues<TaskState>().Where(to => TaskStates.IsAllowed(from, to)).Select(to => $"{from}->{to}"));

        Assert.Equal(
            ["Created->Restoring", "Created->Suspended", "Restoring->Running", "Restoring->Suspended", "Running->Suspended", "Suspended->Restoring", "Suspended->Closed"],
            legal);
    }

    [Fact]
    public void A_task_cannot_be_created_twice()
    {
        var states = new TaskStates();
        states.Create(Task0);

        Assert.Throws<InvalidOperationException>(() => states.Create(Task0));
    }
}
